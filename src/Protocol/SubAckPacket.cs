using System.Buffers;

namespace Broker.Protocol;

/// <summary>SUBACK: one return code per filter of the SUBSCRIBE, in order. Equality compares the codes in order.</summary>
public sealed record SubAckPacket(ushort PacketId, IReadOnlyList<SubscribeReturnCode> ReturnCodes) : MqttPacket
{
    private const string Name = "SUBACK";

    public override PacketType Type => PacketType.SubAck;

    public override int GetSize() => PacketWriter.GetTotalSize(2 + ReturnCodes.Count);

    public override void Write(IBufferWriter<byte> output)
    {
        var writer = PacketWriter.Begin(output, PacketType.SubAck, 0, 2 + ReturnCodes.Count);
        writer.WriteUInt16(PacketId);
        foreach (var returnCode in ReturnCodes)
        {
            writer.WriteByte((byte)returnCode);
        }

        writer.Complete();
    }

    public bool Equals(SubAckPacket? other) =>
        other is not null && PacketId == other.PacketId && ReturnCodes.SequenceEqual(other.ReturnCodes);

    public override int GetHashCode() => HashCode.Combine(PacketId, ReturnCodes.Count);

    internal static SubAckPacket Read(byte flags, ReadOnlySequence<byte> body)
    {
        PacketBodyReader.ExpectFlags(flags, 0, Name);
        var reader = new PacketBodyReader(body, Name);
        var packetId = reader.ReadUInt16("packet identifier");
        if (!reader.HasMore)
        {
            throw new MalformedPacketException($"{Name}: no return code");
        }

        var returnCodes = new SubscribeReturnCode[body.Length - 2];
        for (var i = 0; i < returnCodes.Length; i++)
        {
            var returnCode = reader.ReadByte("return code");
            if (returnCode is > 2 and not 0x80)
            {
                throw new MalformedPacketException($"{Name}: return code 0x{returnCode:X2} is not defined");
            }

            returnCodes[i] = (SubscribeReturnCode)returnCode;
        }

        return new SubAckPacket(packetId, returnCodes);
    }
}
