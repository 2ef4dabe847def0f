using Broker.Bench.Measurement;

namespace Broker.Bench.Tests;

public sealed class PacingScheduleTests
{
    // A clock of 1000 ticks per second keeps the expected values readable.
    private const long TicksPerSecond = 1000;
    private const long Start = 5_000;

    [Fact]
    public void MessageIsIntendedAtStartPlusIndexOverRate()
    {
        var schedule = new PacingSchedule(Start, 100, TicksPerSecond);

        Assert.Equal(Start, schedule.IntendedTicks(0));
        Assert.Equal(Start + 10, schedule.IntendedTicks(1));
        Assert.Equal(Start + 1000, schedule.IntendedTicks(100));
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, 1)]
    [InlineData(9, 1)]
    [InlineData(10, 2)]
    [InlineData(999, 100)]
    [InlineData(1000, 101)]
    [InlineData(60_000, 6001)]
    public void DueCountIsEveryMessageWhoseTimeHasCome(long elapsed, long due)
    {
        var schedule = new PacingSchedule(Start, 100, TicksPerSecond);

        Assert.Equal(due, schedule.DueCount(Start + elapsed));
    }

    [Theory]
    [InlineData(333, 1)]
    [InlineData(334, 2)]
    [InlineData(666, 2)]
    [InlineData(667, 3)]
    [InlineData(1000, 4)]
    public void DueCountIsExactWhenTheIntervalIsNotWhole(long elapsed, long due)
    {
        var schedule = new PacingSchedule(Start, 3, TicksPerSecond);

        Assert.Equal(due, schedule.DueCount(Start + elapsed));
    }

    [Fact]
    public void DueCountAgreesWithIntendedTimesAtHighRates()
    {
        var schedule = new PacingSchedule(0, 333_333, 1_000_000_000);
        for (long index = 0; index < 100_000; index += 997)
        {
            var intended = schedule.IntendedTicks(index);
            Assert.Equal(index + 1, schedule.DueCount(intended));
            Assert.Equal(index, schedule.DueCount(intended - 1));
        }
    }

    [Fact]
    public void WithoutAQuantumTheSenderWakesForEachMessage()
    {
        var schedule = new PacingSchedule(Start, 10, TicksPerSecond);

        Assert.Equal(schedule.IntendedTicks(3), schedule.WakeTicks(3, schedule.IntendedTicks(2)));
    }

    [Fact]
    public void AQuantumBatchesFrequentMessagesButNotSparseOnes()
    {
        var frequent = new PacingSchedule(Start, 10_000, 1_000_000_000) { QuantumTicks = 1_000_000 };
        var sparse = new PacingSchedule(Start, 100, 1_000_000_000) { QuantumTicks = 1_000_000 };

        Assert.Equal(Start + 1_000_000, frequent.WakeTicks(1, Start));
        Assert.Equal(11, frequent.DueCount(frequent.WakeTicks(1, Start)));
        Assert.Equal(sparse.IntendedTicks(1), sparse.WakeTicks(1, Start));
    }
}
