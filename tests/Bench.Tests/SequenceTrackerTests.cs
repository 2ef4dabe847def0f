using Broker.Bench.Measurement;

namespace Broker.Bench.Tests;

public sealed class SequenceTrackerTests
{
    [Fact]
    public void InOrderSequenceHasNoLossDuplicateOrReordering()
    {
        var tracker = Record(0, 1, 2, 3, 4);

        Assert.Equal(5, tracker.Distinct);
        Assert.Equal(0, tracker.CountLost(5));
        Assert.Equal(0, tracker.Duplicated);
        Assert.Equal(0, tracker.OutOfOrder);
    }

    [Fact]
    public void GapsAreLostAndTheirBoundsReported()
    {
        var tracker = Record(0, 1, 4, 6);

        Assert.Equal(4, tracker.CountLost(8, out var first, out var last));
        Assert.Equal(2, first);
        Assert.Equal(7, last);
        Assert.Equal(0, tracker.OutOfOrder);
    }

    [Fact]
    public void RepeatedNumbersAreDuplicatesNotReordering()
    {
        var tracker = Record(0, 1, 1, 2, 0);

        Assert.Equal(2, tracker.Duplicated);
        Assert.Equal(0, tracker.OutOfOrder);
        Assert.Equal(3, tracker.Distinct);
    }

    [Fact]
    public void LateFirstArrivalsAreOutOfOrder()
    {
        var tracker = Record(0, 3, 1, 2, 4);

        Assert.Equal(2, tracker.OutOfOrder);
        Assert.Equal(0, tracker.Duplicated);
        Assert.Equal(0, tracker.CountLost(5));
    }

    [Fact]
    public void LargeSequenceNumbersGrowTheBitmap()
    {
        var tracker = Record(0, 1_000_000, 1_000_000);

        Assert.Equal(1, tracker.Duplicated);
        Assert.Equal(999_999, tracker.CountLost(1_000_001));
    }

    private static SequenceTracker Record(params uint[] sequences)
    {
        var tracker = new SequenceTracker();
        foreach (var sequence in sequences)
        {
            tracker.Record(sequence);
        }

        return tracker;
    }
}
