using System.Buffers.Binary;

namespace Broker.Bench.Load;

/// <summary>Receives the whole packets that <see cref="FrameBuffer.Drain{THandler}"/> frames.</summary>
public interface IPacketHandler
{
    /// <summary>One whole packet: the first byte of its fixed header and its body (variable header and payload).</summary>
    void OnPacket(byte header, ReadOnlySpan<byte> body);
}

/// <summary>
/// One connection's receive buffer and the framing of MQTT packets over it: bytes are received into
/// <see cref="Free"/>, <see cref="Drain{THandler}"/> hands every whole packet to a handler as a span (nothing is
/// allocated per packet) and moves the incomplete tail, if any, to the front for the next receive to complete.
/// The buffer grows only for a packet bigger than itself. Not thread-safe: one receive thread owns it.
/// </summary>
public sealed class FrameBuffer(int capacity)
{
    private byte[] _buffer = new byte[capacity];

    /// <summary>Bytes received and not yet handled (an incomplete packet after <see cref="Drain{THandler}"/>).</summary>
    public int Filled { get; private set; }

    public int Capacity => _buffer.Length;

    /// <summary>Where the next receive goes; never empty after <see cref="Drain{THandler}"/>.</summary>
    public Span<byte> Free => _buffer.AsSpan(Filled);

    /// <summary>The underlying array, for receiving through a pointer at offset <see cref="Filled"/>.</summary>
    internal byte[] Array => _buffer;

    /// <summary>Adds <paramref name="count"/> bytes just received into <see cref="Free"/>.</summary>
    public void Commit(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - Filled);
        Filled += count;
    }

    /// <summary>Hands every whole packet to <paramref name="handler"/>; returns how many there were.</summary>
    public int Drain<THandler>(THandler handler)
        where THandler : IPacketHandler
    {
        var consumed = Frame(_buffer.AsSpan(0, Filled), handler, out var packets, out var incompleteSize);
        var left = Filled - consumed;
        if (incompleteSize > _buffer.Length)
        {
            var bigger = new byte[Math.Max(incompleteSize, _buffer.Length * 2)];
            _buffer.AsSpan(consumed, left).CopyTo(bigger);
            _buffer = bigger;
        }
        else if (left > 0 && consumed > 0)
        {
            _buffer.AsSpan(consumed, left).CopyTo(_buffer);
        }

        Filled = left;
        return packets;
    }

    /// <summary>
    /// Frames the whole packets at the front of <paramref name="buffer"/>; returns the bytes they take.
    /// <paramref name="incompleteSize"/> is the total size of the incomplete packet after them when its
    /// remaining length is already complete, otherwise 0.
    /// </summary>
    public static int Frame<THandler>(ReadOnlySpan<byte> buffer, THandler handler, out int packets, out int incompleteSize)
        where THandler : IPacketHandler
    {
        packets = 0;
        incompleteSize = 0;
        var offset = 0;
        while (buffer.Length - offset >= 2)
        {
            var header = buffer[offset];
            int remainingLength;
            int headerSize;
            var first = buffer[offset + 1];
            if (first < 0x80)
            {
                // Every packet of these scenarios below 128 bytes: the common case, one byte of length.
                remainingLength = first;
                headerSize = 2;
            }
            else if (!TryReadLongLength(buffer[(offset + 1)..], out remainingLength, out headerSize))
            {
                break;
            }

            var total = headerSize + remainingLength;
            if (buffer.Length - offset < total)
            {
                incompleteSize = total;
                break;
            }

            handler.OnPacket(header, buffer.Slice(offset + headerSize, remainingLength));
            packets++;
            offset += total;
        }

        return offset;
    }

    /// <summary>Reads a remaining length of more than one byte; false while it is incomplete.</summary>
    private static bool TryReadLongLength(ReadOnlySpan<byte> bytes, out int length, out int headerSize)
    {
        length = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i == 4)
            {
                throw new BenchException("malformed remaining length from the broker");
            }

            length |= (bytes[i] & 0x7F) << (7 * i);
            if ((bytes[i] & 0x80) == 0)
            {
                headerSize = i + 2;
                return true;
            }
        }

        headerSize = 0;
        return false;
    }

    /// <summary>The packet identifier and payload of a PUBLISH body; the identifier is -1 at QoS 0.</summary>
    public static ReadOnlySpan<byte> PublishPayload(byte header, ReadOnlySpan<byte> body, out int packetId)
    {
        var start = 2 + BinaryPrimitives.ReadUInt16BigEndian(body);
        if (((header >> 1) & 0x03) != 0)
        {
            packetId = BinaryPrimitives.ReadUInt16BigEndian(body[start..]);
            start += 2;
        }
        else
        {
            packetId = -1;
        }

        return body[start..];
    }
}
