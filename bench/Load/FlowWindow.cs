namespace Broker.Bench.Load;

/// <summary>
/// The bound on one publisher's messages in flight. At rate 0 (as fast as possible) a publisher sends only
/// while fewer than <see cref="Limit"/> of its messages are unaccounted for: not yet received by every
/// subscriber (counted in messages: deliveries divided by the fan-out) or, at QoS 1, not yet acknowledged by the
/// broker. Paced publishers ignore the limit (open loop) except for the 65535 packet identifiers of QoS 1.
/// Subscribers and the PUBACK reader report progress from their threads and wake the publisher.
/// </summary>
public sealed class FlowWindow(int limit, int fanOut) : IDisposable
{
    public const int MaxUnacknowledged = 65_000;

    private readonly ManualResetEventSlim _progress = new(false, 100);
    private long _sent;
    private long _delivered;
    private long _acknowledged;

    public int Limit { get; } = limit;

    public int FanOut { get; } = fanOut;

    public long Sent => Volatile.Read(ref _sent);

    public long Delivered => Volatile.Read(ref _delivered);

    public long Acknowledged => Volatile.Read(ref _acknowledged);

    public void OnSent(long count) => Volatile.Write(ref _sent, _sent + count);

    public void OnDelivered(long count)
    {
        Interlocked.Add(ref _delivered, count);
        _progress.Set();
    }

    public void OnAcknowledged(long count)
    {
        Interlocked.Add(ref _acknowledged, count);
        _progress.Set();
    }

    /// <summary>How many more messages the publisher may send now.</summary>
    public long Available(bool paced, bool acknowledged)
    {
        var sent = Sent;
        var unacknowledged = acknowledged ? sent - Acknowledged : 0;
        var room = MaxUnacknowledged - unacknowledged;
        if (!paced)
        {
            var undelivered = sent - (Delivered / FanOut);
            room = Math.Min(room, Limit - Math.Max(undelivered, unacknowledged));
        }

        return room;
    }

    /// <summary>Blocks until a subscriber or the PUBACK reader reports progress, or the timeout passes.</summary>
    public void WaitForProgress(bool paced, bool acknowledged, TimeSpan timeout)
    {
        _progress.Reset();
        if (Available(paced, acknowledged) <= 0)
        {
            _progress.Wait(timeout);
        }
    }

    public void Dispose() => _progress.Dispose();
}
