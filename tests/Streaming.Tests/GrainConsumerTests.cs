using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using Orleans.TestingHost;

namespace Broker.Streaming.Tests;

/// <summary>
/// Grains that subscribe to push streams in their own methods: such a grain receives every item once and in order,
/// in its own turns, whether the producer runs on its silo or another, and beside a client subscribed to the same
/// stream; it sees its own subscriptions only; its subscriptions end with its activation, and no renewal keeps them;
/// one it ends while it handles an item gets nothing more; and a stateless worker cannot subscribe.
/// </summary>
public sealed class GrainConsumerTests(PushCluster cluster) : IClassFixture<PushCluster>
{
    private const int Count = 300;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AGrainThatSubscribesInItsOwnMethodReceivesEveryItemOnceInOrderInItsOwnTurns(bool onTheProducersSilo)
    {
        var key = NewKey();
        var (producerSilo, otherSilo) = (cluster.Cluster.Silos[0], cluster.Cluster.Silos[1]);
        var producer = cluster.Client.GetGrain<IProducerGrain>(key);
        var consumer = cluster.Client.GetGrain<IConsumerGrain>(key);
        var consumerSilo = onTheProducersSilo ? producerSilo : otherSilo;
        var report = new NumberObserver();
        Assert.Equal(producerSilo.SiloAddress, await PlacementHint.On(producerSilo, producer.Host));
        Assert.Equal(consumerSilo.SiloAddress, await PlacementHint.On(consumerSilo, consumer.Host));
        await consumer.Subscribe(key, Reference(report));

        var produced = await ProduceAsync(producer);

        AssertEveryItemOnceInOrder(produced, await report.TakeAsync(Count));
        Assert.Equal(0, await consumer.DeliveriesOutsideItsTurns());
    }

    [Fact]
    public async Task AGrainAndAClientSubscribedToTheSameStreamBothReceiveEveryItemOnceInOrder()
    {
        var key = NewKey();
        var (fromTheGrain, atTheClient) = (new NumberObserver(), new NumberObserver());
        var consumer = cluster.Client.GetGrain<IConsumerGrain>(key);
        await consumer.Subscribe(key, Reference(fromTheGrain));
        await Stream(key).SubscribeAsync(atTheClient);

        var produced = await ProduceAsync(cluster.Client.GetGrain<IProducerGrain>(key));

        AssertEveryItemOnceInOrder(produced, await fromTheGrain.TakeAsync(Count));
        AssertEveryItemOnceInOrder(produced, await atTheClient.TakeAsync(Count));
        Assert.Equal(0, await consumer.DeliveriesOutsideItsTurns());
    }

    [Fact]
    public async Task AGrainSeesOnlyItsOwnSubscriptionsToAStream()
    {
        var key = NewKey();
        var silo = cluster.Cluster.Silos[0];
        var (twice, once) = (cluster.Client.GetGrain<IConsumerGrain>($"{key}-twice"), cluster.Client.GetGrain<IConsumerGrain>($"{key}-once"));
        await PlacementHint.On(silo, twice.Host);
        await PlacementHint.On(silo, once.Host);
        var report = new NumberObserver();
        await twice.Subscribe(key, Reference(report));
        await twice.Subscribe(key, Reference(report));
        await once.Subscribe(key, Reference(report));
        await Stream(key).SubscribeAsync(new NumberObserver());

        Assert.Equal(2, await twice.SubscriptionCount(key));
        Assert.Equal(1, await once.SubscriptionCount(key));
        Assert.Single(await Stream(key).GetAllSubscriptionHandles());
    }

    [Fact]
    public async Task WhenTheActivationOfASubscribedGrainEndsItsSubscriptionEndsAndNoRenewalKeepsIt()
    {
        var key = NewKey();
        var consumer = cluster.Client.GetGrain<IConsumerGrain>(key);
        var registry = IPushStreamRegistryGrain.Of(cluster.Client, PushCluster.Provider, PushCluster.Stream(key));
        await consumer.Subscribe(key, Reference(new NumberObserver()));
        var subscribed = await registry.GetSubscribers();

        var deactivated = cluster.Cluster.WaitForDeactivationAsync(consumer);
        await consumer.Deactivate();
        await deactivated.WaitAsync(Timeout);
        var listed = await ListedAfterRenewalsAsync(registry);

        // The sink producers call is the grain itself (its extension), not an observer.
        Assert.Equal(consumer.GetGrainId(), Assert.Single(subscribed).Consumer.GetGrainId());
        Assert.Empty(listed);
    }

    [Fact]
    public async Task AGrainThatUnsubscribesWhileItHandlesAnItemGetsNoLaterItem()
    {
        var key = NewKey();
        var consumer = cluster.Client.GetGrain<IConsumerGrain>(key);
        var registry = IPushStreamRegistryGrain.Of(cluster.Client, PushCluster.Provider, PushCluster.Stream(key));
        var report = new NumberObserver();
        await consumer.SubscribeUntil(key, Reference(report), lastItem: 3);

        await cluster.Client.GetGrain<IProducerGrain>(key).Produce(key, [1, 2, 3, 4, 5]);
        var received = await report.TakeAsync(3);

        // Handled after the delivery's turn, which had reported every number it handed over.
        var left = await consumer.SubscriptionCount(key);
        var listed = await ListedAfterRenewalsAsync(registry);

        Assert.Equal([1, 2, 3], received.Select(entry => entry.Item));
        Assert.False(report.Received.Reader.TryRead(out _));
        Assert.Equal(0, left);
        Assert.Empty(listed);
    }

    [Fact]
    public async Task AStatelessWorkerCannotSubscribe()
    {
        var worker = cluster.Client.GetGrain<IStatelessConsumerGrain>(0);

        await Assert.ThrowsAsync<NotSupportedException>(() => worker.Subscribe(NewKey()));
    }

    private static string NewKey() => Guid.NewGuid().ToString("N");

    /// <summary>Produces the numbers 1 to <see cref="Count"/> on the producer's own stream, in several batches.</summary>
    private static async Task<int[]> ProduceAsync(IProducerGrain producer)
    {
        var produced = Enumerable.Range(1, Count).ToArray();
        foreach (var chunk in produced.Chunk(37))
        {
            await producer.Produce(producer.GetPrimaryKeyString(), chunk);
        }

        return produced;
    }

    /// <summary>Exactly the numbers produced, in order, from one epoch with consecutive sequence numbers.</summary>
    private static void AssertEveryItemOnceInOrder(int[] produced, List<(int Item, PushSequenceToken Token)> received)
    {
        Assert.Equal(produced, received.Select(entry => entry.Item));
        Assert.Single(received.Select(entry => entry.Token.Epoch).Distinct());
        Assert.Equal(Enumerable.Range(0, received.Count).Select(i => received[0].Token.SequenceNumber + i), received.Select(entry => entry.Token.SequenceNumber));
    }

    /// <summary>
    /// Renews the subscriptions of every silo, then asks the registry, round after round until it lists none or the
    /// timeout passes; the last listing. More than one round while the unregistration of an ended subscription is on
    /// its way, or a renewal that was under way when it ended is not over.
    /// </summary>
    private async Task<ImmutableArray<PushSubscriber>> ListedAfterRenewalsAsync(IPushStreamRegistryGrain registry)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            foreach (var silo in cluster.Cluster.Silos)
            {
                await ProviderOf(silo).Subscriptions.RenewAllAsync();
            }

            var listed = await registry.GetSubscribers();
            if (listed.IsEmpty || deadline.IsCancellationRequested)
            {
                return listed;
            }
        }
    }

    private PushStreamProvider ProviderOf(InProcessSiloHandle silo) =>
        (PushStreamProvider)cluster.Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredKeyedService<IStreamProvider>(PushCluster.Provider);

    private IAsyncStream<int> Stream(string key) => cluster.Client.GetStreamProvider(PushCluster.Provider).GetStream<int>(PushCluster.Stream(key));

    private INumberReport Reference(NumberObserver report) => cluster.Client.CreateObjectReference<INumberReport>(report);
}
