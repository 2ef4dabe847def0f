using System.Diagnostics;
using System.Net.Sockets;
using Broker.Bench.Measurement;
using Broker.Protocol;

namespace Broker.Bench.Load;

/// <summary>
/// One publishing connection. A dedicated thread sends pre-encoded PUBLISH packets, as many per write as are
/// due (paced) or as the window allows (rate 0), never waiting for an answer before sending the next; each
/// payload carries its sequence number and intended send time. Paced, it sleeps until the next message is due
/// (with the thread's timer slack cut to 1 µs, so the sleep ends on time) and then sends everything due in one
/// write: no spinning, so a low rate costs a wake-up and a write per message or batch, not a core. A
/// <see cref="ReceivePool"/> thread counts the broker's PUBACKs.
/// </summary>
public sealed class Publisher : IReceiveConnection, IPacketHandler, IDisposable
{
    private const int MaxWriteBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly PacketTemplate _template;
    private readonly bool _acknowledged;
    private readonly byte[] _buffer;
    private readonly int _maxPerWrite;
    private long _acknowledgementsInBatch;

    public Publisher(Socket socket, uint index, PacketTemplate template, QualityOfService qos, FlowWindow window)
    {
        _socket = socket;
        Index = index;
        _template = template;
        _acknowledged = qos != QualityOfService.AtMostOnce;
        Window = window;
        _maxPerWrite = Math.Max(1, MaxWriteBytes / template.Bytes.Length);
        _buffer = new byte[_maxPerWrite * template.Bytes.Length];
        for (var i = 0; i < _maxPerWrite; i++)
        {
            template.Bytes.CopyTo(_buffer, i * template.Bytes.Length);
        }
    }

    public uint Index { get; }

    public FlowWindow Window { get; }

    /// <summary>The first error of the send or read loop, if any (the broker closed the connection, ...).</summary>
    public Exception? Error { get; private set; }

    /// <summary>
    /// Sends until <paramref name="stopTicks"/> on a thread of its own. With a schedule, messages are paced
    /// (open loop); without, they go as fast as the window allows, each stamped with its actual send time.
    /// </summary>
    public Task RunAsync(PacingSchedule? schedule, long startTicks, long stopTicks)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                NativeMethods.SetTimerSlack(1_000);
                SendLoop(schedule, startTicks, stopTicks);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                Error ??= exception;
            }

            done.SetResult();
        })
        {
            IsBackground = true,
            Name = $"publisher {Index}",
        };
        thread.Start();
        return done.Task;
    }

    public Socket Socket => _socket;

    /// <summary>Where the broker's PUBACKs are received (QoS 1; a <see cref="ReceivePool"/> reads it).</summary>
    public FrameBuffer Buffer { get; } = new(16 * 1024);

    void IReceiveConnection.OnReceived(long nowTicks)
    {
        _acknowledgementsInBatch = 0;
        Buffer.Drain(this);
        if (_acknowledgementsInBatch > 0)
        {
            Window.OnAcknowledged(_acknowledgementsInBatch);
        }
    }

    void IReceiveConnection.OnClosed(BenchException? error)
    {
        if (error is not null)
        {
            Error ??= error;
        }
    }

    void IPacketHandler.OnPacket(byte header, ReadOnlySpan<byte> body)
    {
        if (header >> 4 == (int)PacketType.PubAck)
        {
            _acknowledgementsInBatch++;
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

    private void SendLoop(PacingSchedule? schedule, long startTicks, long stopTicks)
    {
        var paced = schedule is not null;
        var packetSize = _template.Bytes.Length;
        long next = 0;
        long lastSend = 0;
        while (Stopwatch.GetTimestamp() < startTicks)
        {
            WaitUntil(startTicks);
        }

        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= stopTicks)
            {
                return;
            }

            var count = Window.Available(paced, _acknowledged);
            if (paced)
            {
                count = Math.Min(count, schedule!.DueCount(now) - next);
            }

            if (count <= 0)
            {
                if (paced && Window.Available(paced, _acknowledged) > 0)
                {
                    WaitUntil(Math.Min(schedule!.WakeTicks(next, lastSend), stopTicks));
                }
                else
                {
                    // At rate 0, wait for an eighth of the window (or a full write) to free up, so that writes
                    // stay large; the short timeout bounds the stall if answers stop short of it.
                    var wanted = paced ? 1 : Math.Clamp(Window.Limit / 8, 1, _maxPerWrite);
                    Window.WaitForRoom(paced, _acknowledged, wanted, TimeSpan.FromMilliseconds(2));
                }

                continue;
            }

            var batch = (int)Math.Min(count, _maxPerWrite);
            for (var i = 0; i < batch; i++)
            {
                var sequence = next + i;
                var intended = paced ? schedule!.IntendedTicks(sequence) : now;
                _template.Patch(_buffer.AsSpan(i * packetSize, packetSize), new Stamp(Index, (uint)sequence, intended));
            }

            _socket.Send(_buffer.AsSpan(0, batch * packetSize));
            lastSend = now;
            next += batch;
            Window.OnSent(batch);
        }

        static void WaitUntil(long ticks)
        {
            var wait = ticks - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                // usleep overshoots by the thread's timer slack (cut to 1 µs above) plus the wake-up; the stamp keeps
                // the intended time anyway, so a late send shows in the latency.
                var microseconds = Math.Min(wait * 1_000_000 / Stopwatch.Frequency, 10_000);
                _ = NativeMethods.MicroSleep((uint)Math.Max(microseconds, 1));
            }
        }
    }
}
