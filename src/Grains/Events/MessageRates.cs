namespace Broker.Grains.Events;

/// <summary>
/// Counts an instance's published and delivered messages, in total and per second over a sliding window of
/// <see cref="WindowSeconds"/> one-second buckets.
/// </summary>
internal sealed class MessageRates
{
    public const int WindowSeconds = 10;

    private readonly long[] _published = new long[WindowSeconds];
    private readonly long[] _delivered = new long[WindowSeconds];
    private long _second;

    public long TotalPublished { get; private set; }

    public long TotalDelivered { get; private set; }

    public void Record(long nowMilliseconds, int published, int delivered)
    {
        var bucket = Advance(nowMilliseconds);
        _published[bucket] += published;
        _delivered[bucket] += delivered;
        TotalPublished += published;
        TotalDelivered += delivered;
    }

    /// <summary>Messages per second published and delivered over the window that ends now.</summary>
    public (double Published, double Delivered) PerSecond(long nowMilliseconds)
    {
        Advance(nowMilliseconds);
        return (_published.Sum() / (double)WindowSeconds, _delivered.Sum() / (double)WindowSeconds);
    }

    /// <summary>Clears the buckets of the seconds that passed since the last call; returns the current bucket.</summary>
    private int Advance(long nowMilliseconds)
    {
        var second = nowMilliseconds / 1000;
        var passed = Math.Min(second - _second, WindowSeconds);
        for (var i = 1; i <= passed; i++)
        {
            var stale = (int)((_second + i) % WindowSeconds);
            _published[stale] = 0;
            _delivered[stale] = 0;
        }

        _second = Math.Max(_second, second);
        return (int)(_second % WindowSeconds);
    }
}
