using Broker.Grains.Tests.Infrastructure;
using static Broker.Grains.Tests.Infrastructure.TestMessages;

namespace Broker.Grains.Tests.Instances;

/// <summary>
/// What an instance does with a gateway's numbered publish batches: one sent again (after a call that failed or was
/// not answered) is answered as repeated and not routed twice, nor is an older one; and a batch under a lease the
/// activation does not hold is not routed, but answered with a request to restore first.
/// </summary>
[Collection(DevelopmentClusterCollection.Name)]
public sealed class PublishBatchTests(DevelopmentCluster cluster)
{
    private readonly string _prefix = UniquePrefix();

    [Fact]
    public async Task ABatchSentAgainIsRoutedOnceAndAnsweredAsRepeated()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ConnectAsync(grain, gateway, 1, "sub");
        await grain.Subscribe(gateway.Connection(1), Filters(($"{_prefix}/#", 1)));
        var first = Batch(gateway, Message($"{_prefix}/a", "first", 1));
        var second = Batch(gateway, Message($"{_prefix}/a", "second", 1));

        var outcomes = new[]
        {
            await grain.Publish(first),
            await grain.Publish(first),
            await grain.Publish(second),
            await grain.Publish(first),
            await grain.Publish(second),
        };
        var received = new[] { await gateway.NextAsync(), await gateway.NextAsync() };
        await grain.Publish(Batch(gateway, Message($"{_prefix}/a", "third", 1)));
        var next = await gateway.NextAsync();

        Assert.Equal(
            [PublishOutcome.Routed, PublishOutcome.Repeated, PublishOutcome.Routed, PublishOutcome.Repeated, PublishOutcome.Repeated],
            outcomes);
        Assert.Equal(["first", "second"], received.Select(batch => Text(Assert.Single(batch.Messages))));
        Assert.Equal("third", Text(Assert.Single(next.Messages)));
    }

    [Fact]
    public async Task ABatchUnderALeaseTheActivationDoesNotHoldIsNotRoutedButAsksForARestoreFirst()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        var connected = await ConnectAsync(grain, gateway, 1, "sub");
        await grain.Subscribe(gateway.Connection(1), Filters(($"{_prefix}/#", 1)));

        var lost = await grain.Publish(Batch(gateway, Message($"{_prefix}/a", "under a lost lease", 1)) with { LeaseId = Guid.NewGuid() });
        var held = await grain.Publish(Batch(gateway, Message($"{_prefix}/a", "under the lease", 1)) with { LeaseId = connected.LeaseId });
        var batch = await gateway.NextAsync();

        Assert.Equal((PublishOutcome.RestoreFirst, PublishOutcome.Routed), (lost, held));
        Assert.Equal("under the lease", Text(Assert.Single(batch.Messages)));
    }
}
