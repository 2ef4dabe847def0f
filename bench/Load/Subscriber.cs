using System.Diagnostics;
using System.Net.Sockets;
using Broker.Bench.Measurement;
using Broker.Protocol;

namespace Broker.Bench.Load;

/// <summary>
/// One subscribing connection, read by a <see cref="ReceivePool"/> thread. Each receive is framed in place
/// (no objects per message): for each PUBLISH it reads the stamp, records the latency (receive time minus
/// intended send time) when the message was meant to be sent after the warm-up, and tracks the publisher's
/// sequence numbers. QoS 1 messages are acknowledged with one write of all the receive's PUBACKs.
/// </summary>
public sealed class Subscriber : IReceiveConnection, IPacketHandler, IDisposable
{
    public const int BufferBytes = 256 * 1024;

    private readonly FlowWindow[] _windows;
    private readonly int[] _slots;
    private readonly SequenceTracker?[] _trackers;
    private readonly long[] _receivedThrough;
    private readonly double _nanosecondsPerTick = 1e9 / Stopwatch.Frequency;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _acknowledgements = new byte[4 * 1024];
    private int _acknowledgementBytes;
    private long _publishes;
    private long _nowTicks;
    private long _measureFrom;
    private long _received;
    private long _measureFromTicks = long.MaxValue;

    /// <param name="windows">The flow window of every publisher, by publisher index.</param>
    /// <param name="slots">This subscriber's slot in each publisher's window; -1 for a publisher it does not receive.</param>
    public Subscriber(Socket socket, IReadOnlyList<FlowWindow> windows, IReadOnlyList<int> slots)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(slots);
        Socket = socket;
        _windows = [.. windows];
        _slots = [.. slots];
        _trackers = new SequenceTracker?[_windows.Length];
        _receivedThrough = new long[_windows.Length];
    }

    public Socket Socket { get; }

    public FrameBuffer Buffer { get; } = new(BufferBytes);

    public LatencyHistogram Latency { get; } = new();

    /// <summary>PUBLISH packets received (duplicates included).</summary>
    public long Received => Volatile.Read(ref _received);

    /// <summary>Messages whose stamp names no known publisher, or that are too short to carry a stamp.</summary>
    public long Foreign { get; private set; }

    public Exception? Error { get; private set; }

    /// <summary>Completes when the connection is over.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Latencies are recorded for messages meant to be sent at or after this time (the end of the warm-up).</summary>
    public long MeasureFromTicks
    {
        get => Volatile.Read(ref _measureFromTicks);
        set => Volatile.Write(ref _measureFromTicks, value);
    }

    public SequenceTracker? TrackerOf(int publisher) => _trackers[publisher];

    public void OnReceived(long nowTicks)
    {
        _nowTicks = nowTicks;
        _measureFrom = MeasureFromTicks;
        _acknowledgementBytes = 0;
        _publishes = 0;
        Buffer.Drain(this);
        if (_acknowledgementBytes > 0)
        {
            Socket.Send(_acknowledgements.AsSpan(0, _acknowledgementBytes), SocketFlags.None);
        }

        if (_publishes > 0)
        {
            for (var i = 0; i < _receivedThrough.Length; i++)
            {
                if (_slots[i] >= 0)
                {
                    _windows[i].OnReceived(_slots[i], _receivedThrough[i]);
                    _windows[i].Notify();
                }
            }

            Volatile.Write(ref _received, _received + _publishes);
        }
    }

    public void OnClosed(BenchException? error)
    {
        Error ??= error;
        _closed.TrySetResult();
    }

    void IPacketHandler.OnPacket(byte header, ReadOnlySpan<byte> body)
    {
        if (header >> 4 != (int)PacketType.Publish)
        {
            return;
        }

        _publishes++;
        var payload = FrameBuffer.PublishPayload(header, body, out var packetId);
        if (packetId >= 0)
        {
            AddAcknowledgement(packetId);
        }

        if (!Stamp.TryRead(payload, out var stamp) || stamp.Publisher >= _trackers.Length)
        {
            Foreign++;
            return;
        }

        var publisher = (int)stamp.Publisher;
        var tracker = _trackers[publisher] ??= new SequenceTracker();
        tracker.Record(stamp.Sequence);
        _receivedThrough[publisher] = Math.Max(_receivedThrough[publisher], stamp.Sequence + 1L);
        if (stamp.IntendedTicks >= _measureFrom)
        {
            Latency.Record((long)((_nowTicks - stamp.IntendedTicks) * _nanosecondsPerTick));
        }
    }

    public void Disconnect()
    {
        try
        {
            Socket.Send([(byte)((int)PacketType.Disconnect << 4), 0]);
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
    }

    public void Dispose() => Socket.Dispose();

    private void AddAcknowledgement(int packetId)
    {
        if (_acknowledgementBytes + 4 > _acknowledgements.Length)
        {
            Array.Resize(ref _acknowledgements, _acknowledgements.Length * 2);
        }

        _acknowledgements[_acknowledgementBytes] = (byte)((int)PacketType.PubAck << 4);
        _acknowledgements[_acknowledgementBytes + 1] = 2;
        _acknowledgements[_acknowledgementBytes + 2] = (byte)(packetId >> 8);
        _acknowledgements[_acknowledgementBytes + 3] = (byte)packetId;
        _acknowledgementBytes += 4;
    }
}
