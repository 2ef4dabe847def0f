using Broker.Bench.Scenarios;

namespace Broker.Bench.Tests;

/// <summary>Which gateway and instance each client uses: the rule the cluster measurements depend on.</summary>
public sealed class ClientSpreadTests
{
    [Fact]
    public void PeerToPeerPairsTakeTurnsOverInstancesAndEveryMessageCrossesGateways()
    {
        (int, int)[] publishers = [.. Enumerable.Range(0, 4).Select(i => ClientSpread.Publisher(ScenarioKind.P2p, i, gateways: 2, instances: 2))];
        (int, int)[] subscribers = [.. Enumerable.Range(0, 4).Select(i => ClientSpread.Subscriber(ScenarioKind.P2p, i, gateways: 2, instances: 2))];

        Assert.Equal([(0, 0), (1, 1), (0, 0), (1, 1)], publishers);
        Assert.Equal([(1, 0), (0, 1), (1, 0), (0, 1)], subscribers);
    }

    [Fact]
    public void PeerToPeerWrapsAroundMoreGatewaysAndInstancesThanPairs()
    {
        Assert.Equal((1, 4), ClientSpread.Publisher(ScenarioKind.P2p, 4, gateways: 3, instances: 10));
        Assert.Equal((2, 4), ClientSpread.Subscriber(ScenarioKind.P2p, 4, gateways: 3, instances: 10));
        Assert.Equal((2, 2), ClientSpread.Publisher(ScenarioKind.P2p, 12, gateways: 10, instances: 10));
        Assert.Equal((0, 5), ClientSpread.Subscriber(ScenarioKind.P2p, 5, gateways: 3, instances: 10));
    }

    [Fact]
    public void LatencyIsThePeerToPeerPairZero()
    {
        Assert.Equal((0, 0), ClientSpread.Publisher(ScenarioKind.Latency, 0, gateways: 2, instances: 10));
        Assert.Equal((1, 0), ClientSpread.Subscriber(ScenarioKind.Latency, 0, gateways: 2, instances: 10));
    }

    [Fact]
    public void FanoutPublishesOnTheFirstGatewayToSubscribersOnEveryGatewayAllInTheFirstInstance()
    {
        (int, int)[] subscribers = [.. Enumerable.Range(0, 5).Select(j => ClientSpread.Subscriber(ScenarioKind.Fanout, j, gateways: 2, instances: 10))];

        Assert.Equal((0, 0), ClientSpread.Publisher(ScenarioKind.Fanout, 0, gateways: 2, instances: 10));
        Assert.Equal([(0, 0), (1, 0), (0, 0), (1, 0), (0, 0)], subscribers);
    }

    [Fact]
    public void FaninPublishersAreOnEveryGatewayAndTheSubscriberOnTheFirstAllInTheFirstInstance()
    {
        (int, int)[] publishers = [.. Enumerable.Range(0, 3).Select(i => ClientSpread.Publisher(ScenarioKind.Fanin, i, gateways: 2, instances: 10))];

        Assert.Equal([(0, 0), (1, 0), (0, 0)], publishers);
        Assert.Equal((0, 0), ClientSpread.Subscriber(ScenarioKind.Fanin, 0, gateways: 2, instances: 10));
    }

    [Fact]
    public void ConnectionsTakeTurnsOverGatewaysAndInstances()
    {
        (int, int)[] connections = [.. Enumerable.Range(0, 6).Select(i => ClientSpread.Connection(i, gateways: 2, instances: 3))];

        Assert.Equal([(0, 0), (1, 1), (0, 2), (1, 0), (0, 1), (1, 2)], connections);
    }

    [Theory]
    [InlineData(ScenarioKind.P2p)]
    [InlineData(ScenarioKind.Fanout)]
    [InlineData(ScenarioKind.Fanin)]
    [InlineData(ScenarioKind.Latency)]
    public void OneGatewayAndOneInstanceTakeEveryClient(ScenarioKind kind)
    {
        foreach (var i in Enumerable.Range(0, 5))
        {
            Assert.Equal((0, 0), ClientSpread.Publisher(kind, i, gateways: 1, instances: 1));
            Assert.Equal((0, 0), ClientSpread.Subscriber(kind, i, gateways: 1, instances: 1));
            Assert.Equal((0, 0), ClientSpread.Connection(i, gateways: 1, instances: 1));
        }
    }

    [Fact]
    public void ConnIsNotAMessagingScenario()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ClientSpread.Publisher(ScenarioKind.Conn, 0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClientSpread.Subscriber(ScenarioKind.Conn, 0, 1, 1));
    }
}
