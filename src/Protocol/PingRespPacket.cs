using System.Buffers;

namespace Broker.Protocol;

/// <summary>PINGRESP, the server's answer to PINGREQ. It has no fields, so one instance serves every use.</summary>
public sealed record PingRespPacket : MqttPacket
{
    public static readonly PingRespPacket Instance = new();

    private PingRespPacket()
    {
    }

    public override PacketType Type => PacketType.PingResp;

    public override int GetSize() => 2;

    public override void Write(IBufferWriter<byte> output) => PacketWriter.WriteEmpty(output, PacketType.PingResp);

    internal static PingRespPacket Read(byte flags, ReadOnlySequence<byte> body)
    {
        PacketBodyReader.ExpectEmpty(flags, body, "PINGRESP");
        return Instance;
    }
}
