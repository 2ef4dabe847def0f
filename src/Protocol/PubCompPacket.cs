using System.Buffers;

namespace Broker.Protocol;

/// <summary>PUBCOMP, the last packet of the QoS 2 exchange.</summary>
public sealed record PubCompPacket(ushort PacketId) : MqttPacket
{
    private const byte Flags = 0;

    public override PacketType Type => PacketType.PubComp;

    public override int GetSize() => 4;

    public override void Write(IBufferWriter<byte> output) => PacketWriter.WriteIdentifierOnly(output, PacketType.PubComp, Flags, PacketId);

    internal static PubCompPacket Read(byte flags, ReadOnlySequence<byte> body) =>
        new(PacketBodyReader.ReadIdentifierOnly(flags, Flags, body, "PUBCOMP"));
}
