using System.Buffers;

namespace Broker.Protocol;

/// <summary>
/// SUBSCRIBE: one or more topic filters with their requested QoS. Filters are non-empty, but whether their
/// wildcards are well placed is left to the broker (it answers <see cref="SubscribeReturnCode.Failure"/>, see
/// <see cref="TopicValidation.IsValidFilter"/>). Equality compares the subscriptions in order.
/// </summary>
public sealed record SubscribePacket(ushort PacketId, IReadOnlyList<TopicSubscription> Subscriptions) : MqttPacket
{
    private const string Name = "SUBSCRIBE";
    private const byte Flags = 0x02;

    public override PacketType Type => PacketType.Subscribe;

    public override int GetSize() => PacketWriter.GetTotalSize(GetRemainingLength());

    public override void Write(IBufferWriter<byte> output)
    {
        var writer = PacketWriter.Begin(output, PacketType.Subscribe, Flags, GetRemainingLength());
        writer.WriteUInt16(PacketId);
        foreach (var subscription in Subscriptions)
        {
            writer.WriteString(subscription.Filter);
            writer.WriteByte((byte)subscription.Qos);
        }

        writer.Complete();
    }

    public bool Equals(SubscribePacket? other) =>
        other is not null && PacketId == other.PacketId && Subscriptions.SequenceEqual(other.Subscriptions);

    public override int GetHashCode() => HashCode.Combine(PacketId, Subscriptions.Count);

    internal static SubscribePacket Read(byte flags, ReadOnlySequence<byte> body)
    {
        PacketBodyReader.ExpectFlags(flags, Flags, Name);
        var reader = new PacketBodyReader(body, Name);
        var packetId = reader.ReadPacketId();
        reader.ExpectTopicFilter();

        var subscriptions = new List<TopicSubscription>();
        while (reader.HasMore)
        {
            var filter = reader.ReadTopicFilter();

            var options = reader.ReadByte("requested QoS");
            if ((options & 0xFC) != 0)
            {
                throw new MalformedPacketException($"{Name}: reserved bits of requested QoS are set (0x{options:X2})");
            }

            if (options == 3)
            {
                throw new MalformedPacketException($"{Name}: requested QoS is 3");
            }

            subscriptions.Add(new TopicSubscription(filter, (QualityOfService)options));
        }

        return new SubscribePacket(packetId, subscriptions);
    }

    private int GetRemainingLength()
    {
        var length = 2;
        foreach (var subscription in Subscriptions)
        {
            length += PacketWriter.GetStringSize(subscription.Filter) + 1;
        }

        return length;
    }
}
