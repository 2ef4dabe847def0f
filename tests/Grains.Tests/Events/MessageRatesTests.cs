using Broker.Grains.Events;

namespace Broker.Grains.Tests.Events;

public sealed class MessageRatesTests
{
    private const long Start = 1_000_000;

    [Fact]
    public void RatesAreTheWindowsCountsPerSecondAndTotalsKeepEverything()
    {
        var rates = new MessageRates();

        rates.Record(Start, published: 30, delivered: 60);
        rates.Record(Start + 2_500, published: 20, delivered: 0);

        Assert.Equal((5.0, 6.0), rates.PerSecond(Start + 3_000));
        Assert.Equal(50, rates.TotalPublished);
        Assert.Equal(60, rates.TotalDelivered);
    }

    [Fact]
    public void SecondsThatLeftTheWindowNoLongerCount()
    {
        var rates = new MessageRates();
        rates.Record(Start, published: 100, delivered: 100);
        rates.Record(Start + 5_000, published: 10, delivered: 0);

        Assert.Equal((1.0, 0.0), rates.PerSecond(Start + (MessageRates.WindowSeconds * 1000)));
        Assert.Equal((0.0, 0.0), rates.PerSecond(Start + 60_000));
        Assert.Equal(110, rates.TotalPublished);
    }
}
