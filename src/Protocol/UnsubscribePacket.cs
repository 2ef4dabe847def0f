using System.Buffers;

namespace Broker.Protocol;

/// <summary>UNSUBSCRIBE: one or more non-empty topic filters. Equality compares the filters in order.</summary>
public sealed record UnsubscribePacket(ushort PacketId, IReadOnlyList<string> Filters) : MqttPacket
{
    private const string Name = "UNSUBSCRIBE";
    private const byte Flags = 0x02;

    public override PacketType Type => PacketType.Unsubscribe;

    public override int GetSize() => PacketWriter.GetTotalSize(GetRemainingLength());

    public override void Write(IBufferWriter<byte> output)
    {
        var writer = PacketWriter.Begin(output, PacketType.Unsubscribe, Flags, GetRemainingLength());
        writer.WriteUInt16(PacketId);
        foreach (var filter in Filters)
        {
            writer.WriteString(filter);
        }

        writer.Complete();
    }

    public bool Equals(UnsubscribePacket? other) =>
        other is not null && PacketId == other.PacketId && Filters.SequenceEqual(other.Filters);

    public override int GetHashCode() => HashCode.Combine(PacketId, Filters.Count);

    internal static UnsubscribePacket Read(byte flags, ReadOnlySequence<byte> body)
    {
        PacketBodyReader.ExpectFlags(flags, Flags, Name);
        var reader = new PacketBodyReader(body, Name);
        var packetId = reader.ReadPacketId();
        reader.ExpectTopicFilter();

        var filters = new List<string>();
        while (reader.HasMore)
        {
            var filter = reader.ReadTopicFilter();

            filters.Add(filter);
        }

        return new UnsubscribePacket(packetId, filters);
    }

    private int GetRemainingLength()
    {
        var length = 2;
        foreach (var filter in Filters)
        {
            length += PacketWriter.GetStringSize(filter);
        }

        return length;
    }
}
