using System.Buffers;

namespace Broker.Protocol;

/// <summary>PUBREC, the first acknowledgement of a QoS 2 PUBLISH.</summary>
public sealed record PubRecPacket(ushort PacketId) : MqttPacket
{
    private const byte Flags = 0;

    public override PacketType Type => PacketType.PubRec;

    public override int GetSize() => 4;

    public override void Write(IBufferWriter<byte> output) => PacketWriter.WriteIdentifierOnly(output, PacketType.PubRec, Flags, PacketId);

    internal static PubRecPacket Read(byte flags, ReadOnlySequence<byte> body) =>
        new(PacketBodyReader.ReadIdentifierOnly(flags, Flags, body, "PUBREC"));
}
