using Broker.Bench.Scenarios;
using Broker.Bench.Targets;
using Broker.Protocol;
using Broker.TestHost;

namespace Broker.Bench.Tests;

/// <summary>
/// The tool's cluster target: two silos and two gateways, each a process from the build of the tests' configuration,
/// on a PostgreSQL database of the test's own, with two instances. p2p at QoS 1 sends every message across gateways
/// and uses both instances; fanout has subscribers on both gateways. About two seconds each, after the start.
/// </summary>
public sealed class ClusterSmokeTests
{
    [Fact]
    public async Task PeerToPeerAndFanoutOverTwoSilosTwoGatewaysAndTwoInstancesDeliverEveryMessageOnceInOrder()
    {
        await using var database = await PostgreSqlDatabase.CreateAsync();
        await using var cluster = await OurCluster.StartAsync(null, new ClusterLayout(Silos: 2, Gateways: 2, Instances: 2), database.ConnectionString, CancellationToken.None, Configuration());

        var p2p = await ScenarioRunner.RunAsync(
            ScenarioSmokeTests.Smoke(ScenarioKind.P2p, QualityOfService.AtLeastOnce) with { Publishers = 4, Subscribers = 4 }, cluster.Endpoint, CancellationToken.None);
        var fanout = await ScenarioRunner.RunAsync(
            ScenarioSmokeTests.Smoke(ScenarioKind.Fanout, QualityOfService.AtLeastOnce) with { Subscribers = 3 }, cluster.Endpoint, CancellationToken.None);

        ScenarioSmokeTests.AssertEveryMessageOnceInOrder(p2p);
        Assert.Equal(p2p.Sent, p2p.Acknowledged);
        ScenarioSmokeTests.AssertEveryMessageOnceInOrder(fanout);
        Assert.Equal(3 * fanout.Sent, fanout.Received);
        Assert.Equal(2, cluster.Endpoint.Gateways.Distinct().Count());
        Assert.Equal(4, cluster.Endpoint.ProcessIds.Distinct().Count());
        Assert.Equal([new BrokerCredentials("bench0", OurCluster.Secret), new BrokerCredentials("bench1", OurCluster.Secret)], cluster.Endpoint.Instances);
        Assert.Equal("cluster 2x2, 2 instances", p2p.Target);
        Assert.Contains(new Metric("broker processes (CPU, memory summed)", "4"), p2p.Metrics);
        Assert.DoesNotContain(p2p.Metrics, metric => metric is { Name: "broker CPU (% of a core)", Text: "n/a" });
        Assert.Null(cluster.UnexpectedExit);
    }

    /// <summary>The build configuration of the running tests: the output folder is <c>bin/&lt;configuration&gt;/&lt;framework&gt;</c>.</summary>
    private static string Configuration() => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
}
