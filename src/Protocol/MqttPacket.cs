using System.Buffers;

namespace Broker.Protocol;

/// <summary>
/// An MQTT 3.1.1 control packet. Packets are immutable values; <see cref="PacketReader"/> turns bytes into
/// packets and <see cref="Write"/> turns a packet back into exactly one complete frame.
/// </summary>
public abstract record MqttPacket
{
    public abstract PacketType Type { get; }

    /// <summary>Writes the whole packet (fixed header included) into <paramref name="output"/> and advances it.</summary>
    public abstract void Write(IBufferWriter<byte> output);

    /// <summary>The number of bytes <see cref="Write"/> produces, fixed header included.</summary>
    public abstract int GetSize();
}
