using System.Collections.Immutable;
using Broker.Grains.Tests.Infrastructure;
using static Broker.Grains.Tests.Infrastructure.TestMessages;

namespace Broker.Grains.Tests.Instances;

/// <summary>
/// When an instance's publish returns, against a gateway that holds its deliveries: a batch with a QoS 1 or 2 message
/// only once the gateway has accepted them, a batch of QoS 0 messages at once; and an activation that a gateway
/// restored connections into tells the other gateways that gateway named, and holds QoS 1 and 2 batches (without
/// routing them) until they have restored theirs, while it routes QoS 0 ones.
/// </summary>
public sealed class ConfirmedDeliveryTests(LongWaitsCluster cluster) : IClassFixture<LongWaitsCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _prefix = UniquePrefix();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task APublishWithAReliableMessageReturnsOnlyOnceTheGatewayHasAcceptedItsDeliveries(byte qos)
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ConnectAsync(grain, gateway, 1, "sub");
        await grain.Subscribe(gateway.Connection(1), Filters(($"{_prefix}/#", 2)));
        gateway.Hold();

        var published = grain.Publish(Batch(gateway, Message($"{_prefix}/a", "at most once"), Message($"{_prefix}/a", "reliable", qos)));
        var batch = await gateway.NextAsync();
        var whileHeld = published.IsCompleted;
        gateway.Release();

        Assert.Equal(PublishOutcome.Routed, await published.WaitAsync(Timeout));
        Assert.False(whileHeld);
        Assert.Equal(["at most once", "reliable"], batch.Messages.Select(Text));
    }

    [Fact]
    public async Task APublishOfQoS0MessagesReturnsWithoutWaitingForTheGateway()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ConnectAsync(grain, gateway, 1, "sub");
        await grain.Subscribe(gateway.Connection(1), Filters(($"{_prefix}/#", 2)));
        gateway.Hold();

        var outcome = await grain.Publish(Batch(gateway, Message($"{_prefix}/a", "one"), Message($"{_prefix}/b", "two"))).WaitAsync(Timeout);
        var batch = await gateway.NextAsync();
        gateway.Release();

        Assert.Equal(PublishOutcome.Routed, outcome);
        Assert.Equal(["one", "two"], batch.Messages.Select(Text));
    }

    [Fact]
    public async Task ARestoredActivationTellsTheOtherNamedGatewaysAndHoldsReliableBatchesUntilTheyHaveRestoredWhileRoutingTheOthers()
    {
        await using var first = await GatewayProbe.StartAsync(cluster.Client);
        await using var second = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain(BrokerCluster.OtherInstance);
        ImmutableArray<string> named = [first.GatewayId, second.GatewayId];

        await grain.Restore(first.GatewayId, [Snapshot(1, "first")], named);
        var told = await second.NextAsync();
        var held = await grain.Publish(Batch(first, Message($"{_prefix}/a", "held", 1)));
        var atMostOnce = await grain.Publish(Batch(first, Message($"{_prefix}/a", "routed at once")));
        var routedAtOnce = await first.NextAsync();
        await grain.Restore(second.GatewayId, [Snapshot(2, "second")], named);
        var afterBoth = await grain.Publish(Batch(first, Message($"{_prefix}/a", "routed once both restored", 1)));

        Assert.Equal((BrokerCluster.OtherInstance, 0, 0, 0), (told.Instance, told.Messages.Length, told.Deliveries.Length, told.ConnectionsToClose.Length));
        Assert.Equal((PublishOutcome.Held, PublishOutcome.Routed, PublishOutcome.Routed), (held, atMostOnce, afterBoth));
        Assert.Equal("routed at once", Text(Assert.Single(routedAtOnce.Messages)));
        foreach (var gateway in new[] { first, second })
        {
            Assert.Equal("routed once both restored", Text(Assert.Single((await gateway.NextAsync()).Messages)));
        }
    }

    private ConnectionSnapshot Snapshot(long connectionId, string name) => new(connectionId, $"{_prefix}-{name}", null, Filters(($"{_prefix}/#", 1)));
}
