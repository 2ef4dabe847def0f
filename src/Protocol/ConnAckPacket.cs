using System.Buffers;

namespace Broker.Protocol;

/// <summary>CONNACK, the server's answer to CONNECT.</summary>
public sealed record ConnAckPacket(bool SessionPresent, ConnectReturnCode ReturnCode) : MqttPacket
{
    private const string Name = "CONNACK";

    public override PacketType Type => PacketType.ConnAck;

    public override int GetSize() => 4;

    public override void Write(IBufferWriter<byte> output)
    {
        var writer = PacketWriter.Begin(output, PacketType.ConnAck, 0, 2);
        writer.WriteByte(SessionPresent ? (byte)1 : (byte)0);
        writer.WriteByte((byte)ReturnCode);
        writer.Complete();
    }

    internal static ConnAckPacket Read(byte flags, ReadOnlySequence<byte> body)
    {
        PacketBodyReader.ExpectFlags(flags, 0, Name);
        if (body.Length != 2)
        {
            throw new MalformedPacketException($"{Name}: remaining length is {body.Length}, must be 2");
        }

        var reader = new PacketBodyReader(body, Name);
        var acknowledgeFlags = reader.ReadByte("acknowledge flags");
        if ((acknowledgeFlags & 0xFE) != 0)
        {
            throw new MalformedPacketException($"{Name}: reserved acknowledge flags are 0x{acknowledgeFlags:X2}");
        }

        var returnCode = reader.ReadByte("return code");
        if (returnCode > (byte)ConnectReturnCode.NotAuthorized)
        {
            throw new MalformedPacketException($"{Name}: return code {returnCode} is not defined");
        }

        return new ConnAckPacket(acknowledgeFlags == 1, (ConnectReturnCode)returnCode);
    }
}
