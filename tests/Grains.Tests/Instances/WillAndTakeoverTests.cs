using Broker.Grains.Tests.Infrastructure;
using static Broker.Grains.Tests.Infrastructure.TestMessages;

namespace Broker.Grains.Tests.Instances;

/// <summary>
/// Wills and session takeover. To show that something was not sent, a test publishes a marker afterwards:
/// an instance sends a gateway its batches in order, so the next batch must hold the marker alone.
/// </summary>
[Collection(DevelopmentClusterCollection.Name)]
public sealed class WillAndTakeoverTests(DevelopmentCluster cluster)
{
    private readonly string _prefix = UniquePrefix();

    [Fact]
    public async Task SecondConnectWithTheSameClientIdClosesTheOldConnectionAndPublishesItsWill()
    {
        await using var old = await GatewayProbe.StartAsync(cluster.Client);
        await using var current = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        var clientId = $"{_prefix}-device";
        await ObserveAsync(grain, current, 1);
        await grain.Connect(new ConnectRequest(old.Connection(5), clientId, BrokerCluster.Secret, Message($"{_prefix}/will", "gone", 1)));

        var result = await grain.Connect(new ConnectRequest(current.Connection(2), clientId, BrokerCluster.Secret, null));

        Assert.True(result.Accepted);
        var closing = await old.NextAsync();
        Assert.Equal([new ConnectionClose(5, CloseReason.TakenOver)], closing.ConnectionsToClose.AsEnumerable());
        Assert.Empty(closing.Deliveries.AsEnumerable());
        var will = await current.NextAsync();
        Assert.Equal(("gone", new Delivery(0, 1, 1)), (Text(Assert.Single(will.Messages)), Assert.Single(will.Deliveries)));
    }

    [Fact]
    public async Task TakenOverConnectionLosesItsSubscriptionsAndItsLaterUncleanEndPublishesNothing()
    {
        await using var old = await GatewayProbe.StartAsync(cluster.Client);
        await using var current = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        var clientId = $"{_prefix}-device";
        await ObserveAsync(grain, current, 1);
        await grain.Connect(new ConnectRequest(old.Connection(5), clientId, BrokerCluster.Secret, Message($"{_prefix}/will", "gone")));
        await grain.Subscribe(old.Connection(5), Filters(($"{_prefix}/data", 0)));
        await grain.Connect(new ConnectRequest(current.Connection(2), clientId, BrokerCluster.Secret, null));
        Assert.Equal([new ConnectionClose(5, CloseReason.TakenOver)], (await old.NextAsync()).ConnectionsToClose.AsEnumerable());
        await current.NextAsync();

        // The old gateway reports the socket it closed; the instance has forgotten it already.
        await grain.Disconnect(old.Connection(5), clean: false);
        await grain.Publish(Batch(current, Message($"{_prefix}/data", "data"), Message($"{_prefix}/marker", "marker")));

        var next = await current.NextAsync();
        Assert.Equal(["marker"], next.Messages.Select(Text));
        await ConnectAsync(grain, old, 6, "witness");
        await grain.Subscribe(old.Connection(6), Filters(($"{_prefix}/marker", 0)));
        await grain.Publish(Batch(current, Message($"{_prefix}/marker", "witness")));
        var witnessed = await old.NextAsync();
        Assert.Equal([new Delivery(0, 6, 0)], witnessed.Deliveries.AsEnumerable());
    }

    [Fact]
    public async Task CleanDisconnectDoesNotPublishTheWill()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ObserveAsync(grain, gateway, 1);
        await ConnectAsync(grain, gateway, 2, "polite", Message($"{_prefix}/will", "gone"));

        await grain.Disconnect(gateway.Connection(2), clean: true);
        await grain.Publish(Batch(gateway, Message($"{_prefix}/marker", "marker")));

        var next = await gateway.NextAsync();
        Assert.Equal(["marker"], next.Messages.Select(Text));
    }

    [Fact]
    public async Task UncleanDisconnectPublishesTheWillOnce()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ObserveAsync(grain, gateway, 1);
        await ConnectAsync(grain, gateway, 2, "crashing", Message($"{_prefix}/will", "gone", 2, retain: true));

        await grain.Disconnect(gateway.Connection(2), clean: false);

        var will = await gateway.NextAsync();
        var message = Assert.Single(will.Messages);
        Assert.Equal(($"{_prefix}/will", "gone", (byte)2, true), (message.Topic, Text(message), message.Qos, message.Retain));
        Assert.Equal([new Delivery(0, 1, 2)], will.Deliveries.AsEnumerable());

        await grain.Disconnect(gateway.Connection(2), clean: false);
        await grain.Publish(Batch(gateway, Message($"{_prefix}/marker", "marker")));
        Assert.Equal(["marker"], (await gateway.NextAsync()).Messages.Select(Text));

        await ConnectAsync(grain, gateway, 3, "late");
        var retained = await grain.Subscribe(gateway.Connection(3), Filters(($"{_prefix}/will", 1)));
        Assert.Equal([("gone", (byte)1)], retained.Select(r => (Text(r.Message), r.Qos)));
    }

    [Fact]
    public async Task DisconnectRemovesTheConnectionsSubscriptions()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ObserveAsync(grain, gateway, 1);
        await ConnectAsync(grain, gateway, 2, "leaving");
        await grain.Subscribe(gateway.Connection(2), Filters(($"{_prefix}/marker", 0)));

        await grain.Disconnect(gateway.Connection(2), clean: true);
        await grain.Publish(Batch(gateway, Message($"{_prefix}/marker", "marker")));

        Assert.Equal([new Delivery(0, 1, 0)], (await gateway.NextAsync()).Deliveries.AsEnumerable());
    }

    /// <summary>Connection <paramref name="connectionId"/> of <paramref name="gateway"/> watches the will and marker topics at QoS 2.</summary>
    private async Task ObserveAsync(IInstanceGrain grain, GatewayProbe gateway, long connectionId)
    {
        await ConnectAsync(grain, gateway, connectionId, "observer");
        await grain.Subscribe(gateway.Connection(connectionId), Filters(($"{_prefix}/will", 2), ($"{_prefix}/marker", 2)));
    }
}
