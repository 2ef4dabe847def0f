using Broker.Bench.Measurement;

namespace Broker.Bench.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void PercentilesOfOneToHundredAreTheNearestRanks()
    {
        var histogram = new LatencyHistogram();
        for (var value = 100; value >= 1; value--)
        {
            histogram.Record(value);
        }

        Assert.Equal(100, histogram.Count);
        Assert.Equal(1, histogram.GetValueAtPercentile(0));
        Assert.Equal(1, histogram.GetValueAtPercentile(1));
        Assert.Equal(50, histogram.GetValueAtPercentile(50));
        Assert.Equal(90, histogram.GetValueAtPercentile(90));
        Assert.Equal(99, histogram.GetValueAtPercentile(99));
        Assert.Equal(100, histogram.GetValueAtPercentile(99.9));
        Assert.Equal(100, histogram.GetValueAtPercentile(100));
        Assert.Equal(100, histogram.Max);
        Assert.Equal(1, histogram.Min);
    }

    [Fact]
    public void PercentilesAreExactOnBucketBoundariesAndAtMostOnePercentLowBetween()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1_000_000);
        for (var i = 0; i < 99; i++)
        {
            histogram.Record(1L << 20);
        }

        for (var i = 0; i < 900; i++)
        {
            histogram.Record(1L << 10);
        }

        Assert.Equal(1L << 10, histogram.GetValueAtPercentile(50));
        Assert.Equal(1L << 10, histogram.GetValueAtPercentile(90));
        Assert.Equal(999_424, histogram.GetValueAtPercentile(90.1));
        Assert.Equal(1L << 20, histogram.GetValueAtPercentile(99));
        Assert.Equal(1L << 20, histogram.Max);
    }

    [Fact]
    public void EveryBucketIsNarrowerThanOnePercentOfItsValues()
    {
        foreach (var value in new long[] { 1_000, 1_234, 99_999, 1_000_000, 12_345_678, 987_654_321, 59_999_999_999 })
        {
            var index = LatencyHistogram.IndexOf(value);
            Assert.InRange(LatencyHistogram.LowestValueOf(index), value * 0.99, value);
            Assert.InRange(LatencyHistogram.HighestValueOf(index), value, value * 1.01);
        }
    }

    [Fact]
    public void IndexesRiseByOneWithoutGaps()
    {
        var previous = LatencyHistogram.IndexOf(0);
        for (long value = 1; value < 1 << 16; value++)
        {
            var index = LatencyHistogram.IndexOf(value);
            Assert.True(index == previous || index == previous + 1, $"value {value}");
            Assert.InRange(value, LatencyHistogram.LowestValueOf(index), LatencyHistogram.HighestValueOf(index));
            previous = index;
        }
    }

    [Fact]
    public void ValuesBeyondSixtySecondsAreClampedAndNegativeOnesAreZero()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(-5);
        histogram.Record(long.MaxValue);

        Assert.Equal(0, histogram.GetValueAtPercentile(50));
        Assert.Equal(LatencyHistogram.MaxTrackableNanoseconds, histogram.Max);
        Assert.Equal(LatencyHistogram.MaxTrackableNanoseconds, histogram.GetValueAtPercentile(100));
    }

    [Fact]
    public void MergedHistogramsCountEverySample()
    {
        var first = new LatencyHistogram();
        var second = new LatencyHistogram();
        for (var value = 1; value <= 50; value++)
        {
            first.Record(value);
            second.Record(value + 50);
        }

        first.Add(second);

        Assert.Equal(100, first.Count);
        Assert.Equal(50, first.GetValueAtPercentile(50));
        Assert.Equal(99, first.GetValueAtPercentile(99));
        Assert.Equal(100, first.Max);
    }

    [Fact]
    public void EmptyHistogramReportsZero()
    {
        Assert.Equal(0, new LatencyHistogram().GetValueAtPercentile(99));
    }
}
