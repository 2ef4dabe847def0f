using System.Diagnostics;
using System.Net.Sockets;
using Broker.Bench.Measurement;
using Broker.Protocol;

namespace Broker.Bench.Load;

/// <summary>
/// One publishing connection. A dedicated thread sends pre-encoded PUBLISH packets, as many per write as are
/// due (paced) or as the window allows (rate 0), never waiting for an answer before sending the next; each
/// payload carries its sequence number and intended send time. A read loop counts the broker's PUBACKs.
/// </summary>
public sealed class Publisher : IDisposable
{
    private const int MaxWriteBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly PacketTemplate _template;
    private readonly bool _acknowledged;
    private readonly byte[] _buffer;
    private readonly int _maxPerWrite;

    public Publisher(Socket socket, uint index, PacketTemplate template, QualityOfService qos, FlowWindow window)
    {
        _socket = socket;
        Index = index;
        _template = template;
        _acknowledged = qos != QualityOfService.AtMostOnce;
        Window = window;
        _maxPerWrite = Math.Max(1, MaxWriteBytes / template.Bytes.Length);
        _buffer = new byte[_maxPerWrite * template.Bytes.Length];
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

    /// <summary>Counts PUBACKs until the connection closes.</summary>
    public async Task ReadAcknowledgementsAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    return;
                }

                filled += read;
                var consumed = CountAcknowledgements(buffer.AsSpan(0, filled), out var acknowledgements);
                if (acknowledgements > 0)
                {
                    Window.OnAcknowledged(acknowledgements);
                }

                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or OperationCanceledException)
        {
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

    private static int CountAcknowledgements(ReadOnlySpan<byte> buffer, out int acknowledgements)
    {
        acknowledgements = 0;
        var offset = 0;
        while (buffer.Length - offset >= 2)
        {
            // Everything a broker sends a publisher here is short: a one-byte remaining length suffices.
            var remaining = buffer[offset + 1];
            if ((remaining & 0x80) != 0)
            {
                throw new BenchException("unexpected long packet on a publisher connection");
            }

            if (buffer.Length - offset < 2 + remaining)
            {
                break;
            }

            if (buffer[offset] >> 4 == (int)PacketType.PubAck)
            {
                acknowledgements++;
            }

            offset += 2 + remaining;
        }

        return offset;
    }

    private void SendLoop(PacingSchedule? schedule, long startTicks, long stopTicks)
    {
        var paced = schedule is not null;
        var packetSize = _template.Bytes.Length;
        long next = 0;
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
                    WaitUntil(Math.Min(schedule!.IntendedTicks(next), stopTicks));
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
                _template.WriteTo(_buffer.AsSpan(i * packetSize, packetSize), new Stamp(Index, (uint)sequence, intended));
            }

            _socket.Send(_buffer.AsSpan(0, batch * packetSize));
            next += batch;
            Window.OnSent(batch);
        }

        static void WaitUntil(long ticks)
        {
            var wait = ticks - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                // usleep overshoots by the kernel's timer slack (~50 µs); the stamp keeps the intended time anyway.
                var microseconds = Math.Min(wait * 1_000_000 / Stopwatch.Frequency, 10_000);
                _ = NativeMethods.MicroSleep((uint)Math.Max(microseconds, 1));
            }
        }
    }
}
