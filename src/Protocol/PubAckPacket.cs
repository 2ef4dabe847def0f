using System.Buffers;

namespace Broker.Protocol;

/// <summary>PUBACK, the acknowledgement of a QoS 1 PUBLISH.</summary>
public sealed record PubAckPacket(ushort PacketId) : MqttPacket
{
    private const byte Flags = 0;

    public override PacketType Type => PacketType.PubAck;

    public override int GetSize() => 4;

    public override void Write(IBufferWriter<byte> output) => PacketWriter.WriteIdentifierOnly(output, PacketType.PubAck, Flags, PacketId);

    internal static PubAckPacket Read(byte flags, ReadOnlySequence<byte> body) =>
        new(PacketBodyReader.ReadIdentifierOnly(flags, Flags, body, "PUBACK"));
}
