using System.Collections.Immutable;
using Broker.Grains.Tests.Infrastructure;
using static Broker.Grains.Tests.Infrastructure.TestMessages;

namespace Broker.Grains.Tests.Instances;

/// <summary>A gateway that sees a new epoch sends its connections again; the instance must route to them as before.</summary>
[Collection(DevelopmentClusterCollection.Name)]
public sealed class RestoreTests(DevelopmentCluster cluster)
{
    private readonly string _prefix = UniquePrefix();

    [Fact]
    public async Task RestoredConnectionsReceiveOnTheirSubscriptionsAtTheirQos()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();

        await grain.Restore(gateway.GatewayId,
        [
            new ConnectionSnapshot(4, $"{_prefix}-a", null, Filters(($"{_prefix}/+", 1))),
            new ConnectionSnapshot(9, $"{_prefix}-b", null, Filters(($"{_prefix}/x", 2), ($"{_prefix}/y", 0))),
        ], gateways: []);
        await grain.Publish(Batch(gateway, Message($"{_prefix}/x", "x", 2), Message($"{_prefix}/y", "y", 2)));

        var batch = await gateway.NextAsync();
        Assert.Equal(["x", "y"], batch.Messages.Select(Text));
        Assert.Equal(
            [new Delivery(0, 4, 1), new Delivery(0, 9, 2), new Delivery(1, 4, 1), new Delivery(1, 9, 0)],
            batch.Deliveries.OrderBy(d => d.MessageIndex).ThenBy(d => d.ConnectionId));
    }

    [Fact]
    public async Task RestoringTwiceDoesNotDuplicateDeliveries()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        ImmutableArray<ConnectionSnapshot> snapshot = [new ConnectionSnapshot(1, $"{_prefix}-a", null, Filters(($"{_prefix}/x", 1)))];

        await grain.Restore(gateway.GatewayId, snapshot, gateways: []);
        await grain.Restore(gateway.GatewayId, snapshot, gateways: []);
        await grain.Publish(Batch(gateway, Message($"{_prefix}/x", "x", 1)));

        Assert.Equal([new Delivery(0, 1, 1)], (await gateway.NextAsync()).Deliveries.AsEnumerable());
    }

    [Fact]
    public async Task RestoreAddsSubscriptionsToAnAlreadyRegisteredConnection()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ConnectAsync(grain, gateway, 1, "known");
        await grain.Subscribe(gateway.Connection(1), Filters(($"{_prefix}/old", 0)));

        await grain.Restore(gateway.GatewayId, [new ConnectionSnapshot(1, $"{gateway.GatewayId}-known", null, Filters(($"{_prefix}/new", 1)))], gateways: []);
        await grain.Publish(Batch(gateway, Message($"{_prefix}/old", "old", 1), Message($"{_prefix}/new", "new", 1)));

        var batch = await gateway.NextAsync();
        Assert.Equal(["old", "new"], batch.Messages.Select(Text));
        Assert.Equal([new Delivery(0, 1, 0), new Delivery(1, 1, 1)], batch.Deliveries.AsEnumerable());
    }

    [Fact]
    public async Task RestoredConnectionKeepsItsWill()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ConnectAsync(grain, gateway, 1, "observer");
        await grain.Subscribe(gateway.Connection(1), Filters(($"{_prefix}/will", 1)));

        await grain.Restore(gateway.GatewayId, [new ConnectionSnapshot(2, $"{_prefix}-restored", Message($"{_prefix}/will", "gone", 1), [])], gateways: []);
        await grain.Disconnect(gateway.Connection(2), clean: false);

        var batch = await gateway.NextAsync();
        Assert.Equal(["gone"], batch.Messages.Select(Text));
        Assert.Equal([new Delivery(0, 1, 1)], batch.Deliveries.AsEnumerable());
    }

    [Fact]
    public async Task RestoredConnectionWhoseClientIdConnectedElsewhereMeanwhileIsClosedInstead()
    {
        await using var restoring = await GatewayProbe.StartAsync(cluster.Client);
        await using var current = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        var clientId = $"{_prefix}-device";
        await grain.Connect(new ConnectRequest(current.Connection(1), clientId, BrokerCluster.Secret, null));
        await grain.Subscribe(current.Connection(1), Filters(($"{_prefix}/x", 1)));

        await grain.Restore(restoring.GatewayId, [new ConnectionSnapshot(3, clientId, null, Filters(($"{_prefix}/x", 1)))], gateways: []);

        Assert.Equal([new ConnectionClose(3, CloseReason.TakenOver)], (await restoring.NextAsync()).ConnectionsToClose.AsEnumerable());
        await grain.Publish(Batch(current, Message($"{_prefix}/x", "x", 1)));
        Assert.Equal([new Delivery(0, 1, 1)], (await current.NextAsync()).Deliveries.AsEnumerable());
    }
}
