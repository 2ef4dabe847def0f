using Broker.Grains.Tests.Infrastructure;
using static Broker.Grains.Tests.Infrastructure.TestMessages;

namespace Broker.Grains.Tests.Instances;

/// <summary>
/// How an instance routes what it is published, read from the gateways' inbox streams. The same tests run on each
/// delivery stream provider (<see cref="PublishRoutingOnPushStreamsTests"/>, <see cref="PublishRoutingOnMemoryStreamsTests"/>).
/// </summary>
public abstract class PublishRoutingTests(BrokerCluster cluster)
{
    private readonly string _prefix = UniquePrefix();

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(0, 2, 0)]
    [InlineData(1, 2, 1)]
    [InlineData(2, 1, 1)]
    [InlineData(2, 2, 2)]
    public async Task MessageReachesAMatchingSubscriptionAtTheLowerOfGrantedAndPublishedQos(byte granted, byte published, byte expected)
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ConnectAsync(grain, gateway, 1, "sub");
        await grain.Subscribe(gateway.Connection(1), Filters(($"{_prefix}/a", granted)));

        await grain.Publish(Batch(gateway, Message($"{_prefix}/a", "hello", published)));

        var batch = await gateway.NextAsync();
        Assert.Equal(BrokerCluster.Instance, batch.Instance);
        var message = Assert.Single(batch.Messages);
        Assert.Equal($"{_prefix}/a", message.Topic);
        Assert.Equal("hello", Text(message));
        Assert.Equal(published, message.Qos);
        Assert.Equal([new Delivery(0, 1, expected)], batch.Deliveries.AsEnumerable());
        Assert.Empty(batch.ConnectionsToClose.AsEnumerable());
    }

    [Fact]
    public async Task WildcardSubscriptionsReceiveMatchingTopicsOnly()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ConnectAsync(grain, gateway, 1, "plus");
        await ConnectAsync(grain, gateway, 2, "hash");
        await grain.Subscribe(gateway.Connection(1), Filters(($"{_prefix}/+/temp", 1)));
        await grain.Subscribe(gateway.Connection(2), Filters(($"{_prefix}/#", 1)));

        await grain.Publish(Batch(gateway,
            Message($"{_prefix}/kitchen/temp", "21", 1),
            Message($"{_prefix}/kitchen/humidity", "40", 1),
            Message($"other/{_prefix}/temp", "x", 1)));

        var batch = await gateway.NextAsync();
        Assert.Equal([$"{_prefix}/kitchen/temp", $"{_prefix}/kitchen/humidity"], batch.Messages.Select(m => m.Topic));
        Assert.Equal(
            [new Delivery(0, 1, 1), new Delivery(0, 2, 1), new Delivery(1, 2, 1)],
            batch.Deliveries.OrderBy(d => d.MessageIndex).ThenBy(d => d.ConnectionId));
    }

    [Fact]
    public async Task OverlappingSubscriptionsOfOneConnectionGiveOneDeliveryAtTheHighestGrantedQos()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ConnectAsync(grain, gateway, 1, "overlap");
        await grain.Subscribe(gateway.Connection(1), Filters(($"{_prefix}/a/+", 0), ($"{_prefix}/#", 2), ($"{_prefix}/a/b", 1)));

        await grain.Publish(Batch(gateway, Message($"{_prefix}/a/b", "two", 2), Message($"{_prefix}/a/b", "one", 1)));

        var batch = await gateway.NextAsync();
        Assert.Equal(["two", "one"], batch.Messages.Select(Text));
        Assert.Equal([new Delivery(0, 1, 2), new Delivery(1, 1, 1)], batch.Deliveries.AsEnumerable());
    }

    [Fact]
    public async Task MessageForSeveralConnectionsOfOneGatewayIsCarriedOnceInTheBatch()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        for (var id = 1; id <= 3; id++)
        {
            await ConnectAsync(grain, gateway, id, $"fan-{id}");
            await grain.Subscribe(gateway.Connection(id), Filters(($"{_prefix}/fan", (byte)(id - 1))));
        }

        await grain.Publish(Batch(gateway, Message($"{_prefix}/fan", "once", 2)));

        var batch = await gateway.NextAsync();
        Assert.Single(batch.Messages);
        Assert.Equal(
            [new Delivery(0, 1, 0), new Delivery(0, 2, 1), new Delivery(0, 3, 2)],
            batch.Deliveries.OrderBy(d => d.ConnectionId));
    }

    [Fact]
    public async Task EachGatewayGetsOnlyTheDeliveriesOfItsOwnConnections()
    {
        await using var first = await GatewayProbe.StartAsync(cluster.Client);
        await using var second = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ConnectAsync(grain, first, 7, "first-gw");
        await ConnectAsync(grain, second, 7, "second-gw");
        await grain.Subscribe(first.Connection(7), Filters(($"{_prefix}/x", 0)));
        await grain.Subscribe(second.Connection(7), Filters(($"{_prefix}/x", 1)));

        await grain.Publish(Batch(first, Message($"{_prefix}/x", "both", 1)));

        Assert.Equal([new Delivery(0, 7, 0)], (await first.NextAsync()).Deliveries.AsEnumerable());
        Assert.Equal([new Delivery(0, 7, 1)], (await second.NextAsync()).Deliveries.AsEnumerable());
    }

    [Fact]
    public async Task BatchSequenceIncreasesByOnePerBatchStartingAtOne()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ConnectAsync(grain, gateway, 1, "seq");
        await grain.Subscribe(gateway.Connection(1), Filters(($"{_prefix}/seq", 0)));

        for (var i = 0; i < 5; i++)
        {
            await grain.Publish(Batch(gateway, Message($"{_prefix}/seq", i.ToString())));
        }

        var batches = new List<InboxBatch>();
        for (var i = 0; i < 5; i++)
        {
            batches.Add(await gateway.NextAsync());
        }

        Assert.Equal([1L, 2, 3, 4, 5], batches.Select(b => b.Sequence));
        Assert.Equal(["0", "1", "2", "3", "4"], batches.Select(b => Text(Assert.Single(b.Messages))));
        Assert.Single(batches.Select(b => b.Epoch).Distinct());
    }

    [Fact]
    public async Task UnsubscribedFilterNoLongerReceives()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ConnectAsync(grain, gateway, 1, "unsub");
        await grain.Subscribe(gateway.Connection(1), Filters(($"{_prefix}/gone", 0), ($"{_prefix}/kept", 0)));
        await grain.Unsubscribe(gateway.Connection(1), [$"{_prefix}/gone"]);

        await grain.Publish(Batch(gateway, Message($"{_prefix}/gone", "no"), Message($"{_prefix}/kept", "yes")));

        var batch = await gateway.NextAsync();
        Assert.Equal(["yes"], batch.Messages.Select(Text));
    }

    [Fact]
    public async Task MessagesDoNotCrossInstances()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var alpha = cluster.Grain();
        var beta = cluster.Grain(BrokerCluster.OtherInstance);
        await ConnectAsync(alpha, gateway, 1, "iso");
        await alpha.Subscribe(gateway.Connection(1), Filters(($"{_prefix}/#", 0)));
        Assert.True((await beta.Connect(new ConnectRequest(gateway.Connection(2), "iso", BrokerCluster.OtherSecret, null))).Accepted);
        await beta.Subscribe(gateway.Connection(2), Filters(($"{_prefix}/#", 0)));

        await beta.Publish(Batch(gateway, Message($"{_prefix}/b", "beta")));
        await alpha.Publish(Batch(gateway, Message($"{_prefix}/a", "alpha")));

        // Instances are separate producers: their batches may reach the gateway in either order.
        var batches = new[] { await gateway.NextAsync(), await gateway.NextAsync() }.OrderBy(batch => batch.Instance, StringComparer.Ordinal).ToArray();
        Assert.Equal((BrokerCluster.Instance, 1L), (batches[0].Instance, Assert.Single(batches[0].Deliveries).ConnectionId));
        Assert.Equal((BrokerCluster.OtherInstance, 2L), (batches[1].Instance, Assert.Single(batches[1].Deliveries).ConnectionId));
    }
}
