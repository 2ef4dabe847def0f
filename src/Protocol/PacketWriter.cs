using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;

namespace Broker.Protocol;

/// <summary>
/// Writes one packet into a span obtained with a single <see cref="IBufferWriter{T}.GetSpan"/> call: the caller
/// computes the remaining length, <see cref="Begin"/> writes the fixed header, the packet writes its fields and
/// <see cref="Complete"/> advances the output by exactly the packet's size.
/// </summary>
internal ref struct PacketWriter
{
    /// <summary>The largest value a four-byte remaining length can express.</summary>
    public const int MaxRemainingLength = 268_435_455;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly IBufferWriter<byte> _output;
    private readonly Span<byte> _span;
    private readonly int _size;
    private int _position;

    private PacketWriter(IBufferWriter<byte> output, int size)
    {
        _output = output;
        _size = size;
        _span = output.GetSpan(size)[..size];
        _position = 0;
    }

    public static PacketWriter Begin(IBufferWriter<byte> output, PacketType type, byte flags, int remainingLength)
    {
        var writer = new PacketWriter(output, GetTotalSize(remainingLength));
        writer.WriteByte((byte)(((byte)type << 4) | flags));
        writer.WriteRemainingLength(remainingLength);
        return writer;
    }

    /// <summary>Size of a packet with the given remaining length, fixed header included.</summary>
    public static int GetTotalSize(int remainingLength)
    {
        if ((uint)remainingLength > MaxRemainingLength)
        {
            throw new ArgumentOutOfRangeException(nameof(remainingLength), remainingLength, "An MQTT packet body is at most 268435455 bytes.");
        }

        return 1 + GetRemainingLengthSize(remainingLength) + remainingLength;
    }

    public static int GetRemainingLengthSize(int remainingLength) => remainingLength switch
    {
        < 128 => 1,
        < 16_384 => 2,
        < 2_097_152 => 3,
        _ => 4,
    };

    /// <summary>Size of a length-prefixed UTF-8 string.</summary>
    public static int GetStringSize(string value)
    {
        var length = StrictUtf8.GetByteCount(value);
        if (length > ushort.MaxValue)
        {
            throw new ArgumentException("An MQTT string is at most 65535 UTF-8 bytes.", nameof(value));
        }

        return 2 + length;
    }

    /// <summary>Size of length-prefixed binary data.</summary>
    public static int GetBinarySize(int length)
    {
        if ((uint)length > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "MQTT binary data is at most 65535 bytes.");
        }

        return 2 + length;
    }

    public void WriteByte(byte value) => _span[_position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_span[_position..], value);
        _position += 2;
    }

    public void WriteRemainingLength(int value)
    {
        do
        {
            var digit = (byte)(value & 0x7F);
            value >>= 7;
            WriteByte(value > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (value > 0);
    }

    public void WriteString(string value)
    {
        var length = StrictUtf8.GetBytes(value, _span[(_position + 2)..]);
        WriteUInt16((ushort)length);
        _position += length;
    }

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteUInt16((ushort)value.Length);
        WriteBytes(value);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_span[_position..]);
        _position += value.Length;
    }

    public readonly void Complete()
    {
        Debug.Assert(_position == _size, "The packet's computed size must match the bytes it wrote.");
        _output.Advance(_size);
    }

    /// <summary>Writes a packet whose whole body is a packet identifier (PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK).</summary>
    public static void WriteIdentifierOnly(IBufferWriter<byte> output, PacketType type, byte flags, ushort packetId)
    {
        var writer = Begin(output, type, flags, 2);
        writer.WriteUInt16(packetId);
        writer.Complete();
    }

    /// <summary>Writes a packet with no body (PINGREQ, PINGRESP, DISCONNECT).</summary>
    public static void WriteEmpty(IBufferWriter<byte> output, PacketType type) => Begin(output, type, 0, 0).Complete();
}
