using Broker.Grains.Tests.Infrastructure;
using static Broker.Grains.Tests.Infrastructure.TestMessages;

namespace Broker.Grains.Tests.Instances;

[Collection(DevelopmentClusterCollection.Name)]
public sealed class RetainedMessageTests(DevelopmentCluster cluster)
{
    private readonly string _prefix = UniquePrefix();

    [Fact]
    public async Task SubscribeReturnsMatchingRetainedMessagesAtTheQosOfEachFilter()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await grain.Publish(Batch(gateway, Message($"{_prefix}/r1", "one", 2, retain: true), Message($"{_prefix}/r2", "two", 1, retain: true)));
        await ConnectAsync(grain, gateway, 1, "late");

        var retained = await grain.Subscribe(gateway.Connection(1), Filters(($"{_prefix}/r1", 1), ($"{_prefix}/#", 2), ($"{_prefix}/none", 2)));

        Assert.Equal(3, retained.Length);
        Assert.Equal(($"{_prefix}/r1", "one", (byte)1), (retained[0].Message.Topic, Text(retained[0].Message), retained[0].Qos));
        Assert.Equal(
            [($"{_prefix}/r1", "one", (byte)2), ($"{_prefix}/r2", "two", (byte)1)],
            retained.Skip(1).Select(r => (r.Message.Topic, Text(r.Message), r.Qos)).OrderBy(r => r.Topic));
        Assert.All(retained, r => Assert.True(r.Message.Retain));
    }

    [Fact]
    public async Task TheNextActivationReadsTheRetainedMessagesFromTheStore()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await grain.Publish(Batch(gateway, Message($"{_prefix}/kept", "on disk", 2, retain: true), Message($"{_prefix}/cleared", "soon gone", 1, retain: true)));
        await grain.Publish(Batch(gateway, Message($"{_prefix}/cleared", "", 1, retain: true)));
        var first = await ConnectAsync(grain, gateway, 1, "first");
        await grain.Disconnect(gateway.Connection(1), clean: true);

        await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var next = await ConnectAsync(grain, gateway, 2, "next");
        var retained = await grain.Subscribe(gateway.Connection(2), Filters(($"{_prefix}/#", 2)));

        Assert.NotEqual(first.Epoch, next.Epoch);
        Assert.Equal([($"{_prefix}/kept", "on disk", (byte)2)], retained.Select(r => (r.Message.Topic, Text(r.Message), r.Qos)));
        Assert.True(retained[0].Message.Retain);
    }

    [Fact]
    public async Task RetainedMessageIsReplacedBySecondRetainedPublish()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await grain.Publish(Batch(gateway, Message($"{_prefix}/r", "first", 1, retain: true)));
        await grain.Publish(Batch(gateway, Message($"{_prefix}/r", "second", 1, retain: true)));
        await grain.Publish(Batch(gateway, Message($"{_prefix}/r", "not retained", 1)));
        await ConnectAsync(grain, gateway, 1, "late");

        var retained = await grain.Subscribe(gateway.Connection(1), Filters(($"{_prefix}/r", 2)));

        Assert.Equal(["second"], retained.Select(r => Text(r.Message)));
    }

    [Fact]
    public async Task EmptyRetainedPublishClearsTheRetainedMessageAndIsStillDelivered()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await grain.Publish(Batch(gateway, Message($"{_prefix}/r", "kept", 1, retain: true)));
        await ConnectAsync(grain, gateway, 1, "current");
        Assert.Single(await grain.Subscribe(gateway.Connection(1), Filters(($"{_prefix}/r", 1))));

        await grain.Publish(Batch(gateway, Message($"{_prefix}/r", "", 1, retain: true)));

        var batch = await gateway.NextAsync();
        Assert.Empty(Assert.Single(batch.Messages).Payload);
        Assert.Equal([new Delivery(0, 1, 1)], batch.Deliveries.AsEnumerable());
        await ConnectAsync(grain, gateway, 2, "late");
        Assert.Empty(await grain.Subscribe(gateway.Connection(2), Filters(($"{_prefix}/#", 1))));
    }

    [Fact]
    public async Task SubscribeOfAnUnknownConnectionReturnsNothing()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await grain.Publish(Batch(gateway, Message($"{_prefix}/r", "kept", 1, retain: true)));

        var retained = await grain.Subscribe(gateway.Connection(99), Filters(($"{_prefix}/r", 1)));

        Assert.Empty(retained);
    }
}
