using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Broker.Protocol;

/// <summary>
/// Framing and dispatch: finds one whole packet at the front of a buffer and hands its body to the packet
/// type's reader. Never consumes a partial packet, and rejects an oversized packet from its fixed header
/// alone so the body is never buffered.
/// </summary>
public static class PacketReader
{
    private const byte QosOneFlags = 0x02;
    private const byte DuplicateQosOneFlags = 0x0A;

    /// <summary>
    /// Tries to read one whole packet from the front of <paramref name="buffer"/> with MQTT 3.1.1's rules, as
    /// before CONNECT or on a 3.1.1 connection. Returns false when more bytes are needed (buffer unchanged); on
    /// success slices <paramref name="buffer"/> past the packet.
    /// </summary>
    /// <exception cref="MalformedPacketException">The bytes are not a valid packet.</exception>
    /// <exception cref="PacketTooLargeException">The fixed header announces more than <paramref name="maxPacketSize"/> bytes.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxPacketSize, [NotNullWhen(true)] out MqttPacket? packet) =>
        TryRead(ref buffer, maxPacketSize, ConnectPacket.Mqtt311ProtocolLevel, out packet);

    /// <summary>
    /// Tries to read one whole packet from the front of <paramref name="buffer"/> with the rules of the protocol
    /// level the connection's CONNECT named (<see cref="ConnectPacket.ProtocolLevel"/>). Level 3 (MQTT 3.1) also
    /// accepts the DUP flag on PUBREL, SUBSCRIBE and UNSUBSCRIBE; every other level is read as MQTT 3.1.1.
    /// Returns false when more bytes are needed (buffer unchanged); on success slices <paramref name="buffer"/>
    /// past the packet.
    /// </summary>
    /// <exception cref="MalformedPacketException">The bytes are not a valid packet.</exception>
    /// <exception cref="PacketTooLargeException">The fixed header announces more than <paramref name="maxPacketSize"/> bytes.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxPacketSize, byte protocolLevel, [NotNullWhen(true)] out MqttPacket? packet)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPacketSize);
        packet = null;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out var firstByte))
        {
            return false;
        }

        var type = (PacketType)(firstByte >> 4);
        var flags = (byte)(firstByte & 0x0F);
        if (type is < PacketType.Connect or > PacketType.Disconnect)
        {
            throw new MalformedPacketException($"packet type {(int)type} is reserved");
        }

        if (!TryReadRemainingLength(ref reader, out var remainingLength))
        {
            return false;
        }

        var headerSize = (int)reader.Consumed;
        var totalSize = headerSize + remainingLength;
        if (totalSize > maxPacketSize)
        {
            throw new PacketTooLargeException(totalSize, maxPacketSize);
        }

        if (reader.Remaining < remainingLength)
        {
            return false;
        }

        if (protocolLevel == ConnectPacket.Mqtt31ProtocolLevel && IsMqtt31Duplicate(type, flags))
        {
            // MQTT 3.1 re-sends these QoS 1 packets with DUP set; 3.1.1 fixes their flags at 0b0010 [MQTT-2.2.2-2].
            // The flag only says "re-sent", which changes nothing in how the packet is handled.
            flags = QosOneFlags;
        }

        var body = buffer.Slice(headerSize, remainingLength);
        packet = type switch
        {
            PacketType.Connect => ConnectPacket.Read(flags, body),
            PacketType.ConnAck => ConnAckPacket.Read(flags, body),
            PacketType.Publish => PublishPacket.Read(flags, body),
            PacketType.PubAck => PubAckPacket.Read(flags, body),
            PacketType.PubRec => PubRecPacket.Read(flags, body),
            PacketType.PubRel => PubRelPacket.Read(flags, body),
            PacketType.PubComp => PubCompPacket.Read(flags, body),
            PacketType.Subscribe => SubscribePacket.Read(flags, body),
            PacketType.SubAck => SubAckPacket.Read(flags, body),
            PacketType.Unsubscribe => UnsubscribePacket.Read(flags, body),
            PacketType.UnsubAck => UnsubAckPacket.Read(flags, body),
            PacketType.PingReq => PingReqPacket.Read(flags, body),
            PacketType.PingResp => PingRespPacket.Read(flags, body),
            PacketType.Disconnect => DisconnectPacket.Read(flags, body),
            _ => throw new MalformedPacketException($"packet type {(int)type} is reserved"),
        };
        buffer = buffer.Slice(totalSize);
        return true;
    }

    private static bool IsMqtt31Duplicate(PacketType type, byte flags) =>
        flags == DuplicateQosOneFlags && type is PacketType.PubRel or PacketType.Subscribe or PacketType.Unsubscribe;

    /// <summary>Decodes the variable byte integer of the fixed header: at most four bytes, seven bits each.</summary>
    private static bool TryReadRemainingLength(ref SequenceReader<byte> reader, out int value)
    {
        value = 0;
        for (var i = 0; i < 4; i++)
        {
            if (!reader.TryRead(out var digit))
            {
                return false;
            }

            value |= (digit & 0x7F) << (7 * i);
            if ((digit & 0x80) == 0)
            {
                return true;
            }
        }

        throw new MalformedPacketException("remaining length has more than four bytes");
    }
}
