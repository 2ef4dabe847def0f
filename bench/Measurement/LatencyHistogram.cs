namespace Broker.Bench.Measurement;

/// <summary>
/// A log-linear histogram of latencies in nanoseconds, in the manner of HDR histograms: values below 256 ns get
/// one bucket each, and every power-of-two range above is split into 128 linear buckets, so a bucket is never
/// wider than 1/128 (0.8%) of its values. Values are clamped to 60 s. Recording is an index computation and an
/// increment: nothing is allocated per sample. Not thread-safe: one histogram per receiving connection, merged
/// at the end.
/// </summary>
public sealed class LatencyHistogram
{
    public const long MaxTrackableNanoseconds = 60_000_000_000;

    private const int SubBucketBits = 7;
    private const int SubBucketCount = 1 << SubBucketBits;
    private const int LinearLimit = SubBucketCount * 2;

    private readonly long[] _counts = new long[IndexOf(MaxTrackableNanoseconds) + 1];

    public long Count { get; private set; }

    /// <summary>The largest value recorded, exact (not rounded to its bucket).</summary>
    public long Max { get; private set; }

    public long Min { get; private set; } = long.MaxValue;

    public void Record(long nanoseconds)
    {
        var value = Math.Clamp(nanoseconds, 0, MaxTrackableNanoseconds);
        _counts[IndexOf(value)]++;
        Count++;
        if (value > Max)
        {
            Max = value;
        }

        if (value < Min)
        {
            Min = value;
        }
    }

    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Max = Math.Max(Max, other.Max);
        Min = Math.Min(Min, other.Min);
    }

    /// <summary>
    /// The nearest-rank percentile: the smallest recorded value that at least <paramref name="percentile"/>
    /// percent of the samples do not exceed, reported as the lowest value of its bucket: exact for values below
    /// 256 ns and on bucket boundaries, otherwise at most 0.8% low. 0 when nothing was recorded.
    /// </summary>
    public long GetValueAtPercentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percentile);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        if (Count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * Count));
        if (rank >= Count)
        {
            return Max;
        }

        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Clamp(LowestValueOf(i), Min, Max);
            }
        }

        return Max;
    }

    internal static int IndexOf(long value)
    {
        if (value < LinearLimit)
        {
            return (int)value;
        }

        var magnitude = 63 - (int)long.LeadingZeroCount(value);
        var shift = magnitude - SubBucketBits;
        return (shift * SubBucketCount) + (int)(value >> shift);
    }

    internal static long LowestValueOf(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }

        var shift = (index / SubBucketCount) - 1;
        return (long)((index % SubBucketCount) + SubBucketCount) << shift;
    }

    internal static long HighestValueOf(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }

        var shift = (index / SubBucketCount) - 1;
        var subBucket = (long)((index % SubBucketCount) + SubBucketCount);
        return ((subBucket + 1) << shift) - 1;
    }
}
