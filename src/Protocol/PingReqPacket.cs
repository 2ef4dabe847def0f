using System.Buffers;

namespace Broker.Protocol;

/// <summary>PINGREQ, the client's keep-alive probe. It has no fields, so one instance serves every use.</summary>
public sealed record PingReqPacket : MqttPacket
{
    public static readonly PingReqPacket Instance = new();

    private PingReqPacket()
    {
    }

    public override PacketType Type => PacketType.PingReq;

    public override int GetSize() => 2;

    public override void Write(IBufferWriter<byte> output) => PacketWriter.WriteEmpty(output, PacketType.PingReq);

    internal static PingReqPacket Read(byte flags, ReadOnlySequence<byte> body)
    {
        PacketBodyReader.ExpectEmpty(flags, body, "PINGREQ");
        return Instance;
    }
}
