namespace Broker.Bench.Load;

/// <summary>
/// The bound on one publisher's messages in flight. At rate 0 (as fast as possible) a publisher sends only
/// while fewer than <see cref="Limit"/> of its messages are unaccounted for: beyond the highest sequence number
/// the slowest of its subscribers has received (so a lost QoS 0 message does not shrink the window for good)
/// or, at QoS 1, not yet acknowledged by the broker. Paced publishers ignore the limit (open loop) except for
/// the 65535 packet identifiers of QoS 1. Subscribers and the PUBACK reader report progress from their receive
/// threads and, through <see cref="Notify"/>, wake the publisher only once it has the room it waits for.
/// </summary>
public sealed class FlowWindow : IDisposable
{
    public const int MaxUnacknowledged = 65_000;

    private readonly ManualResetEventSlim _progress = new(false, 100);
    private readonly long[] _received;
    private long _sent;
    private long _acknowledged;

    // While the publisher waits: the room it waits for (0 when not waiting) and the terms of Available.
    private long _wanted;
    private bool _waitPaced;
    private bool _waitAcknowledged;

    /// <param name="limit">Messages in flight at rate 0.</param>
    /// <param name="subscribers">How many subscribers receive this publisher; each reports on its own slot.</param>
    public FlowWindow(int limit, int subscribers)
    {
        Limit = limit;
        _received = new long[Math.Max(1, subscribers)];
    }

    public int Limit { get; }

    public long Sent => Volatile.Read(ref _sent);

    public long Acknowledged => Volatile.Read(ref _acknowledged);

    /// <summary>Messages through the highest one the slowest subscriber has received.</summary>
    public long ReceivedBySlowest
    {
        get
        {
            var slowest = long.MaxValue;
            foreach (ref var received in _received.AsSpan())
            {
                slowest = Math.Min(slowest, Volatile.Read(ref received));
            }

            return slowest;
        }
    }

    public void OnSent(long count) => Volatile.Write(ref _sent, _sent + count);

    /// <summary>Subscriber <paramref name="slot"/> has received a message numbered <paramref name="throughSequence"/> - 1.</summary>
    public void OnReceived(int slot, long throughSequence)
    {
        if (throughSequence > Volatile.Read(ref _received[slot]))
        {
            Volatile.Write(ref _received[slot], throughSequence);
        }
    }

    public void OnAcknowledged(long count)
    {
        Interlocked.Add(ref _acknowledged, count);
        Notify();
    }

    /// <summary>After progress was reported: wakes the publisher if it waits and now has the room it wants.</summary>
    public void Notify()
    {
        // Pairs with the exchange in WaitForRoom: either the publisher sees this progress or this sees it waiting.
        Interlocked.MemoryBarrier();
        var wanted = Volatile.Read(ref _wanted);
        if (wanted > 0 && Available(_waitPaced, _waitAcknowledged) >= wanted)
        {
            _progress.Set();
        }
    }

    /// <summary>How many more messages the publisher may send now.</summary>
    public long Available(bool paced, bool acknowledged)
    {
        var sent = Sent;
        var unacknowledged = acknowledged ? sent - Acknowledged : 0;
        var room = MaxUnacknowledged - unacknowledged;
        if (!paced)
        {
            var undelivered = sent - ReceivedBySlowest;
            room = Math.Min(room, Limit - Math.Max(undelivered, unacknowledged));
        }

        return room;
    }

    /// <summary>
    /// Blocks until at least <paramref name="wanted"/> messages may be sent, or the timeout passes. Waiting for
    /// a batch rather than one free slot keeps writes large when answers trickle in one by one.
    /// </summary>
    public void WaitForRoom(bool paced, bool acknowledged, long wanted, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        _waitPaced = paced;
        _waitAcknowledged = acknowledged;
        try
        {
            while (true)
            {
                _progress.Reset();
                Interlocked.Exchange(ref _wanted, Math.Max(1, wanted));
                if (Available(paced, acknowledged) >= wanted)
                {
                    return;
                }

                var left = deadline - Environment.TickCount64;
                if (left <= 0 || !_progress.Wait((int)left))
                {
                    return;
                }
            }
        }
        finally
        {
            Volatile.Write(ref _wanted, 0);
        }
    }

    public void Dispose() => _progress.Dispose();
}
