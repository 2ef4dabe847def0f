using Broker.Bench.Cli;
using Broker.Bench.Scenarios;
using Broker.Bench.Targets;
using Broker.Protocol;

namespace Broker.Bench.Tests;

public sealed class BenchOptionsTests
{
    [Fact]
    public void OptionsOverrideTheScenarioDefaults()
    {
        var options = BenchOptions.Parse(["p2p", "--qos", "1", "--pairs", "4", "--rate", "5000", "--payload", "128", "--target", "ours"]);

        var settings = options.SettingsFor(ScenarioKind.P2p);

        Assert.Equal(TargetChoice.Ours, options.Target);
        Assert.Equal(QualityOfService.AtLeastOnce, settings.Qos);
        Assert.Equal(4, settings.Publishers);
        Assert.Equal(4, settings.Subscribers);
        Assert.Equal(5000, settings.Rate);
        Assert.Equal(128, settings.PayloadBytes);
    }

    [Fact]
    public void ARunningClusterBrokerIsReachedWithTheCredentialsGiven()
    {
        var options = BenchOptions.Parse(["latency", "--broker", "127.0.0.1:1883", "--username", "demo", "--password", "demo-secret"]);

        Assert.Equal(("demo", "demo-secret"), (options.UserName, options.Password));
        Assert.Equal(1883, options.Broker!.Port);
    }

    [Fact]
    public void TheClusterTargetTakesItsSilosGatewaysInstancesAndDatabaseServer()
    {
        var options = BenchOptions.Parse(["p2p", "--target", "cluster", "--silos", "1", "--gateways", "2", "--instances", "10", "--database", "Host=127.0.0.1;Port=5432;Username=bench"]);

        Assert.Equal(TargetChoice.Cluster, options.Target);
        Assert.Equal(new ClusterLayout(Silos: 1, Gateways: 2, Instances: 10), options.Cluster);
        Assert.Equal("cluster 1x2, 10 instances", options.Cluster.Name);
        Assert.Equal("Host=127.0.0.1;Port=5432;Username=bench", options.Database);
    }

    [Fact]
    public void TheClusterIsTwoSilosAndTwoGatewaysWithOneInstanceOnAThrowawayServerByDefault()
    {
        var options = BenchOptions.Parse(["fanout", "--target", "cluster"]);

        Assert.Equal(new ClusterLayout(Silos: 2, Gateways: 2, Instances: 1), options.Cluster);
        Assert.Equal("cluster 2x2", options.Cluster.Name);
        Assert.Null(options.Database);
    }

    [Fact]
    public void OurDevelopmentBrokerTakesInstancesToo()
    {
        Assert.Equal(3, BenchOptions.Parse(["p2p", "--target", "ours", "--instances", "3"]).Instances);
        Assert.Equal(3, BenchOptions.Parse(["p2p", "--instances", "3"]).Instances);
    }

    [Fact]
    public void RetainMakesEveryPublishRetained()
    {
        Assert.True(BenchOptions.Parse(["latency", "--retain"]).SettingsFor(ScenarioKind.Latency).Retain);
        Assert.False(BenchOptions.Parse(["latency"]).SettingsFor(ScenarioKind.Latency).Retain);
    }

    [Fact]
    public void AllRunsEveryScenarioWithItsDefaults()
    {
        var options = BenchOptions.Parse(["all"]);

        Assert.Equal([ScenarioKind.P2p, ScenarioKind.Fanout, ScenarioKind.Fanin, ScenarioKind.Latency, ScenarioKind.Conn], options.Scenarios);
        Assert.Equal(100, options.SettingsFor(ScenarioKind.Fanout).Subscribers);
        Assert.Equal(10, options.SettingsFor(ScenarioKind.Fanin).Publishers);
        Assert.Equal(10_000, options.SettingsFor(ScenarioKind.Latency).Rate);
        Assert.Equal(0, options.SettingsFor(ScenarioKind.P2p).Rate);
        Assert.Equal(10_000, options.SettingsFor(ScenarioKind.Conn).Connections);
        Assert.Equal(TargetChoice.Both, options.Target);
    }

    [Theory]
    [InlineData("p2p", "--payload", "15")]
    [InlineData("p2p", "--qos", "2")]
    [InlineData("nope")]
    [InlineData("p2p", "--bogus")]
    [InlineData("p2p", "--rate")]
    [InlineData("p2p", "--target", "swarm")]
    [InlineData("p2p", "--target", "cluster", "--gateways", "0")]
    [InlineData("p2p", "--target", "cluster", "--silos", "0")]
    [InlineData("p2p", "--target", "cluster", "--instances", "0")]
    [InlineData("p2p", "--silos", "2")]
    [InlineData("p2p", "--target", "ours", "--database", "Host=127.0.0.1")]
    [InlineData("p2p", "--target", "cluster", "--broker", "127.0.0.1:1883", "--gateways", "2")]
    [InlineData("p2p", "--target", "mosquitto", "--instances", "2")]
    [InlineData("p2p", "--broker", "127.0.0.1:1883", "--instances", "2")]
    public void InvalidArgumentsAreRejected(params string[] args)
    {
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(args));
    }

    [Fact]
    public void ManyConnectionsAreSpreadOverLoopbackSourceAddresses()
    {
        Assert.Empty(ConnectionScenario.SourceAddresses(20_000));
        var sources = ConnectionScenario.SourceAddresses(100_000);
        Assert.Equal(["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"], sources.Select(a => a.ToString()));
    }
}
