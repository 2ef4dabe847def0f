using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Broker.Bench.Measurement;
using Broker.Protocol;

namespace Broker.Bench.Load;

/// <summary>
/// One subscribing connection. Its read loop frames packets itself (no objects per message): for each PUBLISH
/// it reads the stamp, records the latency (receive time of the read minus intended send time) when the message
/// was meant to be sent after the warm-up, and tracks the publisher's sequence numbers. QoS 1 messages are
/// acknowledged with one write of all the read's PUBACKs.
/// </summary>
public sealed class Subscriber : IDisposable
{
    private readonly Socket _socket;
    private readonly FlowWindow[] _windows;
    private readonly int[] _slots;
    private readonly SequenceTracker?[] _trackers;
    private readonly long[] _receivedThrough;
    private readonly double _nanosecondsPerTick = 1e9 / Stopwatch.Frequency;
    private byte[] _buffer = new byte[256 * 1024];
    private byte[] _acknowledgements = new byte[4 * 1024];
    private long _received;
    private long _measureFromTicks = long.MaxValue;

    /// <param name="windows">The flow window of every publisher, by publisher index.</param>
    /// <param name="slots">This subscriber's slot in each publisher's window; -1 for a publisher it does not receive.</param>
    public Subscriber(Socket socket, IReadOnlyList<FlowWindow> windows, IReadOnlyList<int> slots)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(slots);
        _socket = socket;
        _windows = [.. windows];
        _slots = [.. slots];
        _trackers = new SequenceTracker?[_windows.Length];
        _receivedThrough = new long[_windows.Length];
    }

    public LatencyHistogram Latency { get; } = new();

    /// <summary>PUBLISH packets received (duplicates included).</summary>
    public long Received => Volatile.Read(ref _received);

    /// <summary>Messages whose stamp names no known publisher, or that are too short to carry a stamp.</summary>
    public long Foreign { get; private set; }

    public Exception? Error { get; private set; }

    /// <summary>Latencies are recorded for messages meant to be sent at or after this time (the end of the warm-up).</summary>
    public long MeasureFromTicks
    {
        get => Volatile.Read(ref _measureFromTicks);
        set => Volatile.Write(ref _measureFromTicks, value);
    }

    public SequenceTracker? TrackerOf(int publisher) => _trackers[publisher];

    public async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    return;
                }

                filled += read;
                var consumed = Process(Stopwatch.GetTimestamp(), filled, out var acknowledgementBytes);
                if (acknowledgementBytes > 0)
                {
                    await _socket.SendAsync(_acknowledgements.AsMemory(0, acknowledgementBytes), SocketFlags.None, cancellationToken);
                }

                _buffer.AsSpan(consumed, filled - consumed).CopyTo(_buffer);
                filled -= consumed;
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        catch (BenchException exception)
        {
            Error = exception;
        }
    }

    public void Disconnect()
    {
        try
        {
            _socket.Send([(byte)((int)PacketType.Disconnect << 4), 0]);
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>Handles the whole packets in the buffer; returns the bytes consumed. Grows the buffer for a packet bigger than it.</summary>
    private int Process(long nowTicks, int filled, out int acknowledgementBytes)
    {
        acknowledgementBytes = 0;
        var buffer = _buffer.AsSpan(0, filled);
        var measureFrom = MeasureFromTicks;
        var offset = 0;
        long received = 0;
        while (buffer.Length - offset >= 2)
        {
            var header = buffer[offset];
            var remainingLength = 0;
            var position = offset + 1;
            var complete = false;
            for (var shift = 0; shift < 28 && position < buffer.Length; shift += 7)
            {
                var digit = buffer[position++];
                remainingLength |= (digit & 0x7F) << shift;
                if ((digit & 0x80) == 0)
                {
                    complete = true;
                    break;
                }
            }

            if (!complete)
            {
                if (position - offset > 4)
                {
                    throw new BenchException("malformed remaining length from the broker");
                }

                break;
            }

            var total = position - offset + remainingLength;
            if (buffer.Length - offset < total)
            {
                if (total > _buffer.Length)
                {
                    Array.Resize(ref _buffer, total * 2);
                }

                break;
            }

            if (header >> 4 == (int)PacketType.Publish)
            {
                var body = buffer.Slice(position, remainingLength);
                var payloadStart = 2 + BinaryPrimitives.ReadUInt16BigEndian(body);
                if (((header >> 1) & 0x03) != 0)
                {
                    AddAcknowledgement(body[payloadStart], body[payloadStart + 1], ref acknowledgementBytes);
                    payloadStart += 2;
                }

                received++;
                OnMessage(body[payloadStart..], nowTicks, measureFrom);
            }

            offset += total;
        }

        if (received > 0)
        {
            for (var i = 0; i < _receivedThrough.Length; i++)
            {
                if (_slots[i] >= 0)
                {
                    _windows[i].OnReceived(_slots[i], _receivedThrough[i]);
                }
            }
        }

        Volatile.Write(ref _received, _received + received);
        return offset;
    }

    private void OnMessage(ReadOnlySpan<byte> payload, long nowTicks, long measureFrom)
    {
        if (!Stamp.TryRead(payload, out var stamp) || stamp.Publisher >= _trackers.Length)
        {
            Foreign++;
            return;
        }

        var publisher = (int)stamp.Publisher;
        var tracker = _trackers[publisher] ??= new SequenceTracker();
        tracker.Record(stamp.Sequence);
        _receivedThrough[publisher] = Math.Max(_receivedThrough[publisher], stamp.Sequence + 1L);
        if (stamp.IntendedTicks >= measureFrom)
        {
            Latency.Record((long)((nowTicks - stamp.IntendedTicks) * _nanosecondsPerTick));
        }
    }

    private void AddAcknowledgement(byte high, byte low, ref int length)
    {
        if (length + 4 > _acknowledgements.Length)
        {
            Array.Resize(ref _acknowledgements, _acknowledgements.Length * 2);
        }

        _acknowledgements[length] = (byte)((int)PacketType.PubAck << 4);
        _acknowledgements[length + 1] = 2;
        _acknowledgements[length + 2] = high;
        _acknowledgements[length + 3] = low;
        length += 4;
    }
}
