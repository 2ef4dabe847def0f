using System.Buffers;

namespace Broker.Protocol;

/// <summary>DISCONNECT, the client's clean goodbye (the will is discarded). It has no fields, so one instance serves every use.</summary>
public sealed record DisconnectPacket : MqttPacket
{
    public static readonly DisconnectPacket Instance = new();

    private DisconnectPacket()
    {
    }

    public override PacketType Type => PacketType.Disconnect;

    public override int GetSize() => 2;

    public override void Write(IBufferWriter<byte> output) => PacketWriter.WriteEmpty(output, PacketType.Disconnect);

    internal static DisconnectPacket Read(byte flags, ReadOnlySequence<byte> body)
    {
        PacketBodyReader.ExpectEmpty(flags, body, "DISCONNECT");
        return Instance;
    }
}
