using System.Buffers;

namespace Broker.Protocol;

/// <summary>PUBREL, the release that answers PUBREC in the QoS 2 exchange. Its fixed header flags are 0b0010.</summary>
public sealed record PubRelPacket(ushort PacketId) : MqttPacket
{
    private const byte Flags = 0x02;

    public override PacketType Type => PacketType.PubRel;

    public override int GetSize() => 4;

    public override void Write(IBufferWriter<byte> output) => PacketWriter.WriteIdentifierOnly(output, PacketType.PubRel, Flags, PacketId);

    internal static PubRelPacket Read(byte flags, ReadOnlySequence<byte> body) =>
        new(PacketBodyReader.ReadIdentifierOnly(flags, Flags, body, "PUBREL"));
}
