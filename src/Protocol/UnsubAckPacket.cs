using System.Buffers;

namespace Broker.Protocol;

/// <summary>UNSUBACK, the server's answer to UNSUBSCRIBE.</summary>
public sealed record UnsubAckPacket(ushort PacketId) : MqttPacket
{
    private const byte Flags = 0;

    public override PacketType Type => PacketType.UnsubAck;

    public override int GetSize() => 4;

    public override void Write(IBufferWriter<byte> output) => PacketWriter.WriteIdentifierOnly(output, PacketType.UnsubAck, Flags, PacketId);

    internal static UnsubAckPacket Read(byte flags, ReadOnlySequence<byte> body) =>
        new(PacketBodyReader.ReadIdentifierOnly(flags, Flags, body, "UNSUBACK"));
}
