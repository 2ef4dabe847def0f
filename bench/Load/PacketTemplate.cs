using System.Buffers;
using Broker.Bench.Measurement;
using Broker.Protocol;

namespace Broker.Bench.Load;

/// <summary>
/// A PUBLISH encoded once by the codec, with the offsets of the fields that change per message (the stamp at
/// the start of the payload and, for QoS 1, the packet identifier), so that sending is a copy and a few stores.
/// </summary>
public sealed class PacketTemplate
{
    public PacketTemplate(string topic, int payloadBytes, QualityOfService qos, bool retain = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(payloadBytes, Stamp.Size);
        var payload = new byte[payloadBytes];
        payload.AsSpan(Stamp.Size).Fill((byte)'x');
        Bytes = Encode(new PublishPacket(topic, payload, qos, retain, false, qos == QualityOfService.AtMostOnce ? (ushort)0 : (ushort)1));
        PayloadOffset = Bytes.Length - payloadBytes;
        PacketIdOffset = qos == QualityOfService.AtMostOnce ? -1 : PayloadOffset - 2;
    }

    public byte[] Bytes { get; }

    public int PayloadOffset { get; }

    /// <summary>Where the big-endian packet identifier sits; -1 for QoS 0.</summary>
    public int PacketIdOffset { get; }

    public static byte[] Encode(MqttPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var writer = new ArrayBufferWriter<byte>(packet.GetSize());
        packet.Write(writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Copies the template to <paramref name="destination"/> and stamps it.</summary>
    public void WriteTo(Span<byte> destination, Stamp stamp)
    {
        Bytes.CopyTo(destination);
        Patch(destination, stamp);
    }

    /// <summary>Writes the stamp (and packet identifier) into a copy of the template already in <paramref name="destination"/>.</summary>
    public void Patch(Span<byte> destination, Stamp stamp)
    {
        stamp.Write(destination[PayloadOffset..]);
        if (PacketIdOffset >= 0)
        {
            // Identifiers 1..65535 in turn; a publisher never has that many unacknowledged (see FlowWindow).
            var packetId = (ushort)((stamp.Sequence % ushort.MaxValue) + 1);
            destination[PacketIdOffset] = (byte)(packetId >> 8);
            destination[PacketIdOffset + 1] = (byte)packetId;
        }
    }
}
