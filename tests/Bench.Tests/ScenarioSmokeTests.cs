using Broker.Bench.Scenarios;
using Broker.Protocol;

namespace Broker.Bench.Tests;

/// <summary>
/// Each scenario for about two seconds against our broker in this process. The assertions are the invariants
/// that hold whatever the machine's speed: every message arrives exactly once and in order; never timings.
/// </summary>
[Collection(InProcessBrokerCollection.Name)]
public sealed class ScenarioSmokeTests(InProcessBroker broker)
{
    [Theory]
    [InlineData(QualityOfService.AtLeastOnce, 0)]
    [InlineData(QualityOfService.AtMostOnce, 2000)]
    public async Task PeerToPeerDeliversEveryMessageOnceInOrder(QualityOfService qos, double rate)
    {
        var result = await RunAsync(Smoke(ScenarioKind.P2p, qos) with { Publishers = 3, Subscribers = 3, Rate = rate });

        AssertEveryMessageOnceInOrder(result);
        Assert.Equal(qos == QualityOfService.AtLeastOnce ? result.Sent : 0, result.Acknowledged);
    }

    [Fact]
    public async Task PeerToPeerPairsSpreadOverTwoInstancesDeliverEveryMessageOnceInOrder()
    {
        var settings = Smoke(ScenarioKind.P2p, QualityOfService.AtLeastOnce) with { Publishers = 4, Subscribers = 4 };

        var result = await ScenarioRunner.RunAsync(settings, broker.TwoInstances, CancellationToken.None);

        AssertEveryMessageOnceInOrder(result);
        Assert.Equal(result.Sent, result.Acknowledged);
    }

    [Fact]
    public async Task FanoutDeliversEveryMessageToEverySubscriber()
    {
        var result = await RunAsync(Smoke(ScenarioKind.Fanout, QualityOfService.AtLeastOnce) with { Subscribers = 4 });

        AssertEveryMessageOnceInOrder(result);
        Assert.Equal(4 * result.Sent, result.Received);
    }

    [Fact]
    public async Task FaninDeliversEveryPublisherToTheWildcardSubscriber()
    {
        var result = await RunAsync(Smoke(ScenarioKind.Fanin, QualityOfService.AtLeastOnce) with { Publishers = 4 });

        AssertEveryMessageOnceInOrder(result);
        Assert.Equal(result.Sent, result.Received);
    }

    [Theory]
    [InlineData(QualityOfService.AtLeastOnce)]
    [InlineData(QualityOfService.AtMostOnce)]
    public async Task LatencyScenarioDeliversEveryPacedMessage(QualityOfService qos)
    {
        var result = await RunAsync(Smoke(ScenarioKind.Latency, qos) with { Rate = 1000 });

        AssertEveryMessageOnceInOrder(result);
        Assert.Contains(result.Metrics, metric => metric.Name == "latency p99 (ms)");
    }

    [Fact]
    public async Task ConnScenarioOpensEveryConnection()
    {
        var result = await RunAsync(new ScenarioSettings { Kind = ScenarioKind.Conn, Connections = 200, Warmup = TimeSpan.FromMilliseconds(200) });

        Assert.Equal(200, result.ConnectionsAccepted);
        Assert.DoesNotContain(result.Warnings, warning => warning.Contains("failed"));
    }

    internal static ScenarioSettings Smoke(ScenarioKind kind, QualityOfService qos) => new()
    {
        Kind = kind,
        Qos = qos,
        Duration = TimeSpan.FromSeconds(1.5),
        Warmup = TimeSpan.FromSeconds(0.3),
        Drain = TimeSpan.FromSeconds(30),
        Window = 200,
    };

    internal static void AssertEveryMessageOnceInOrder(ScenarioResult result)
    {
        Assert.True(result.Sent > 0);
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Duplicated);
        Assert.Equal(0, result.OutOfOrder);
        Assert.Equal(result.Expected, result.Received);
    }

    private Task<ScenarioResult> RunAsync(ScenarioSettings settings) =>
        ScenarioRunner.RunAsync(settings, broker.Endpoint, CancellationToken.None);
}
