using System.Buffers;

namespace Broker.Protocol;

/// <summary>
/// PUBLISH, an application message in either direction. <see cref="PacketId"/> is 0 for QoS 0. A read packet's
/// payload is its own array, never a view of the receive buffer. Equality compares payload bytes.
/// </summary>
public sealed record PublishPacket(
    string Topic,
    ReadOnlyMemory<byte> Payload,
    QualityOfService Qos,
    bool Retain,
    bool Duplicate,
    ushort PacketId) : MqttPacket
{
    private const string Name = "PUBLISH";
    private const byte RetainFlag = 0x01;
    private const byte DuplicateFlag = 0x08;

    public override PacketType Type => PacketType.Publish;

    /// <summary>Bytes on the wire of a PUBLISH with these fields, fixed header included, without building one.</summary>
    public static int ComputeSize(string topic, int payloadLength, QualityOfService qos) =>
        PacketWriter.GetTotalSize(GetRemainingLength(topic, payloadLength, qos));

    public override int GetSize() => ComputeSize(Topic, Payload.Length, Qos);

    public override void Write(IBufferWriter<byte> output)
    {
        var flags = (byte)(((byte)Qos << 1) | (Retain ? RetainFlag : 0) | (Duplicate ? DuplicateFlag : 0));
        var writer = PacketWriter.Begin(output, PacketType.Publish, flags, GetRemainingLength(Topic, Payload.Length, Qos));
        writer.WriteString(Topic);
        if (Qos != QualityOfService.AtMostOnce)
        {
            writer.WriteUInt16(PacketId);
        }

        writer.WriteBytes(Payload.Span);
        writer.Complete();
    }

    public bool Equals(PublishPacket? other) =>
        other is not null
        && Topic == other.Topic
        && Qos == other.Qos
        && Retain == other.Retain
        && Duplicate == other.Duplicate
        && PacketId == other.PacketId
        && Payload.Span.SequenceEqual(other.Payload.Span);

    public override int GetHashCode() => HashCode.Combine(Topic, Qos, Retain, Duplicate, PacketId, Payload.Length);

    internal static PublishPacket Read(byte flags, ReadOnlySequence<byte> body)
    {
        var qos = (flags >> 1) & 0x03;
        if (qos == 3)
        {
            throw new MalformedPacketException($"{Name}: QoS is 3");
        }

        var duplicate = (flags & DuplicateFlag) != 0;
        if (duplicate && qos == 0)
        {
            throw new MalformedPacketException($"{Name}: DUP is set on a QoS 0 message");
        }

        var reader = new PacketBodyReader(body, Name);
        var topic = reader.ReadString("topic name");
        if (topic.Length == 0)
        {
            throw new MalformedPacketException($"{Name}: topic name is empty");
        }

        if (!TopicValidation.IsValidTopicName(topic))
        {
            throw new MalformedPacketException($"{Name}: topic name contains a wildcard", topic);
        }

        var packetId = qos == 0 ? (ushort)0 : reader.ReadPacketId();
        return new PublishPacket(topic, reader.ReadToEnd(), (QualityOfService)qos, (flags & RetainFlag) != 0, duplicate, packetId);
    }

    private static int GetRemainingLength(string topic, int payloadLength, QualityOfService qos) =>
        PacketWriter.GetStringSize(topic) + (qos == QualityOfService.AtMostOnce ? 0 : 2) + payloadLength;
}
