using System.Buffers;
using System.Text;

namespace Broker.Protocol;

/// <summary>
/// Reads the fields of one packet body that is known to be complete. Running out of bytes or finding
/// invalid data throws <see cref="MalformedPacketException"/> with a reason prefixed by the packet's name.
/// </summary>
internal ref struct PacketBodyReader(ReadOnlySequence<byte> body, string packetName)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private SequenceReader<byte> _reader = new(body);

    public readonly bool HasMore => !_reader.End;

    public static void ExpectFlags(byte flags, byte expected, string packetName)
    {
        if (flags != expected)
        {
            throw new MalformedPacketException($"{packetName}: fixed header flags are 0x{flags:X1}, must be 0x{expected:X1}");
        }
    }

    /// <summary>Reads a body that is exactly a packet identifier (PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK).</summary>
    public static ushort ReadIdentifierOnly(byte flags, byte expectedFlags, ReadOnlySequence<byte> body, string packetName)
    {
        ExpectFlags(flags, expectedFlags, packetName);
        if (body.Length != 2)
        {
            throw new MalformedPacketException($"{packetName}: remaining length is {body.Length}, must be 2");
        }

        var reader = new PacketBodyReader(body, packetName);
        return reader.ReadUInt16("packet identifier");
    }

    /// <summary>Checks a packet that has no body (PINGREQ, PINGRESP, DISCONNECT).</summary>
    public static void ExpectEmpty(byte flags, ReadOnlySequence<byte> body, string packetName)
    {
        ExpectFlags(flags, 0, packetName);
        if (!body.IsEmpty)
        {
            throw new MalformedPacketException($"{packetName}: remaining length is {body.Length}, must be 0");
        }
    }

    public byte ReadByte(string field)
    {
        if (!_reader.TryRead(out var value))
        {
            throw Truncated(field);
        }

        return value;
    }

    public ushort ReadUInt16(string field)
    {
        if (!_reader.TryReadBigEndian(out short value))
        {
            throw Truncated(field);
        }

        return (ushort)value;
    }

    /// <summary>Reads a packet identifier, which the spec requires to be non-zero.</summary>
    public ushort ReadPacketId()
    {
        var packetId = ReadUInt16("packet identifier");
        if (packetId == 0)
        {
            throw new MalformedPacketException($"{packetName}: packet identifier is 0");
        }

        return packetId;
    }

    /// <summary>Reads a length-prefixed UTF-8 string: well-formed UTF-8 and free of U+0000.</summary>
    public string ReadString(string field)
    {
        var length = ReadUInt16(field + " length");
        if (_reader.Remaining < length)
        {
            throw Truncated(field);
        }

        if (_reader.UnreadSpan.Length >= length)
        {
            var value = Decode(_reader.UnreadSpan[..length], field);
            _reader.Advance(length);
            return value;
        }

        // The string spans segments: gather it first. At most 64 KiB, so the pool is cheap.
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var bytes = rented.AsSpan(0, length);
            _reader.TryCopyTo(bytes);
            _reader.Advance(length);
            return Decode(bytes, field);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Reads length-prefixed binary data into a new array.</summary>
    public byte[] ReadBinary(string field)
    {
        var length = ReadUInt16(field + " length");
        if (_reader.Remaining < length)
        {
            throw Truncated(field);
        }

        var value = _reader.UnreadSequence.Slice(0, length).ToArray();
        _reader.Advance(length);
        return value;
    }

    /// <summary>A non-empty topic filter (SUBSCRIBE and UNSUBSCRIBE).</summary>
    public string ReadTopicFilter()
    {
        var filter = ReadString("topic filter");
        return filter.Length > 0 ? filter : throw new MalformedPacketException($"{packetName}: topic filter is empty");
    }

    /// <summary>SUBSCRIBE and UNSUBSCRIBE carry at least one topic filter after their packet identifier.</summary>
    public readonly void ExpectTopicFilter()
    {
        if (!HasMore)
        {
            throw new MalformedPacketException($"{packetName}: no topic filter");
        }
    }

    /// <summary>Copies everything left in the body into a new array that does not alias the input.</summary>
    public byte[] ReadToEnd()
    {
        var value = _reader.UnreadSequence.ToArray();
        _reader.AdvanceToEnd();
        return value;
    }

    public readonly void ExpectEnd()
    {
        if (!_reader.End)
        {
            throw new MalformedPacketException($"{packetName}: {_reader.Remaining} unexpected bytes after the last field");
        }
    }

    private readonly MalformedPacketException Truncated(string field) =>
        new($"{packetName}: {field} runs past the end of the packet");

    private readonly string Decode(ReadOnlySpan<byte> bytes, string field)
    {
        if (bytes.Contains((byte)0))
        {
            throw new MalformedPacketException($"{packetName}: {field} contains U+0000");
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new MalformedPacketException($"{packetName}: {field} is not well-formed UTF-8");
        }
    }
}
