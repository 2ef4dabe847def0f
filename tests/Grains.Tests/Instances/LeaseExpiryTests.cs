using Broker.Grains.Tests.Infrastructure;
using static Broker.Grains.Tests.Infrastructure.TestMessages;

namespace Broker.Grains.Tests.Instances;

/// <summary>
/// A gateway that stops renewing its lease is taken for dead: its connections end uncleanly. The cluster runs
/// with a 2 s lease; the gateways the test keeps alive renew in the background, and the test waits for the
/// will to arrive rather than for time to pass.
/// </summary>
public sealed class LeaseExpiryTests(ShortLeaseCluster cluster) : IClassFixture<ShortLeaseCluster>
{
    private readonly string _prefix = UniquePrefix();

    [Fact]
    public async Task ExpiredLeaseDropsTheGatewaysConnectionsAndPublishesTheirWills()
    {
        await using var observer = await GatewayProbe.StartAsync(cluster.Client);
        await using var alive = await GatewayProbe.StartAsync(cluster.Client);
        await using var dead = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ConnectAsync(grain, observer, 1, "observer");
        await grain.Subscribe(observer.Connection(1), Filters(($"{_prefix}/will/#", 1)));
        await ConnectAsync(grain, alive, 1, "alive", Message($"{_prefix}/will/alive", "alive gone", 1));
        await ConnectAsync(grain, dead, 1, "dead-1", Message($"{_prefix}/will/dead-1", "dead 1 gone", 1));
        await ConnectAsync(grain, dead, 2, "dead-2", Message($"{_prefix}/will/dead-2", "dead 2 gone", 1));

        using var renewing = new CancellationTokenSource();
        var renewals = RenewAsync(grain, [observer.GatewayId, alive.GatewayId], renewing.Token);
        var wills = new List<string>();
        while (wills.Count < 2)
        {
            var batch = await observer.NextAsync(ShortLeaseCluster.LeaseDuration * 5);
            wills.AddRange(batch.Messages.Select(Text));
        }

        Assert.Equal(["dead 1 gone", "dead 2 gone"], wills.Order());

        // The dropped connections are gone: their gateway's late unclean end publishes nothing more, while the
        // connection of the gateway that kept renewing is still registered and its unclean end does publish.
        await grain.Disconnect(dead.Connection(1), clean: false);
        await grain.Disconnect(alive.Connection(1), clean: false);
        Assert.Equal(["alive gone"], (await observer.NextAsync()).Messages.Select(Text));

        await renewing.CancelAsync();
        await renewals;
    }

    [Fact]
    public async Task ClusterModeSeedsNoDevelopmentInstances()
    {
        var local = await cluster.Grain("local").Connect(new ConnectRequest(new ConnectionAddress("gw-lease", 1), "anonymous", null, null));
        var @public = await cluster.Grain("public").Connect(new ConnectRequest(new ConnectionAddress("gw-lease", 2), "public", "public", null));

        Assert.False(local.Accepted);
        Assert.False(@public.Accepted);
    }

    private static async Task RenewAsync(IInstanceGrain grain, string[] gatewayIds, CancellationToken cancellation)
    {
        using var timer = new PeriodicTimer(ShortLeaseCluster.LeaseDuration / 8);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellation))
            {
                foreach (var gatewayId in gatewayIds)
                {
                    await grain.RenewLease(gatewayId);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
