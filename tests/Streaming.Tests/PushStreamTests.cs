using Orleans.Runtime;

namespace Broker.Streaming.Tests;

/// <summary>
/// The push stream provider in a two-silo test cluster, with a client subscribing as the broker's gateways do:
/// every subscriber gets every item once and in order, an ended subscription gets nothing more, a registry that lost
/// its subscriptions has them again after one renewal, and a stream is not rewindable.
/// </summary>
public sealed class PushStreamTests(PushCluster cluster) : IClassFixture<PushCluster>
{
    [Fact]
    public async Task EverySubscriberReceivesEveryItemOnceInOrderWithConsecutiveSequenceNumbers()
    {
        var key = Guid.NewGuid().ToString("N");
        var (first, second) = (new NumberObserver(), new NumberObserver());
        var stream = cluster.Client.GetStreamProvider(PushCluster.Provider).GetStream<int>(PushCluster.Stream(key));
        await stream.SubscribeAsync(first);
        await stream.SubscribeAsync(second);

        var producer = cluster.Client.GetGrain<IProducerGrain>(key);
        var produced = Enumerable.Range(1, 1000).ToArray();
        foreach (var chunk in produced.Chunk(37))
        {
            await producer.Produce(key, chunk);
        }

        foreach (var observer in new[] { first, second })
        {
            var received = await observer.TakeAsync(produced.Length);
            Assert.Equal(produced, received.Select(entry => entry.Item));
            Assert.Single(received.Select(entry => entry.Token.Epoch).Distinct());
            Assert.Equal(Enumerable.Range(0, produced.Length).Select(i => received[0].Token.SequenceNumber + i), received.Select(entry => entry.Token.SequenceNumber));
        }
    }

    [Fact]
    public async Task AnEndedSubscriptionReceivesNothingMoreWhileTheOtherGoesOn()
    {
        var key = Guid.NewGuid().ToString("N");
        var (leaving, staying) = (new NumberObserver(), new NumberObserver());
        var stream = cluster.Client.GetStreamProvider(PushCluster.Provider).GetStream<int>(PushCluster.Stream(key));
        var handle = await stream.SubscribeAsync(leaving);
        await stream.SubscribeAsync(staying);
        var producer = cluster.Client.GetGrain<IProducerGrain>(key);
        await producer.Produce(key, [1]);
        Assert.Equal(1, (await leaving.TakeAsync(1))[0].Item);
        Assert.Equal(1, (await staying.TakeAsync(1))[0].Item);

        await handle.UnsubscribeAsync();
        await producer.Produce(key, [2]);

        Assert.Equal(2, (await staying.TakeAsync(1))[0].Item);
        Assert.False(leaving.Received.Reader.TryRead(out _));
        Assert.Single(await stream.GetAllSubscriptionHandles());
    }

    [Fact]
    public async Task ARegistryThatLostItsSubscriptionsHasThemAgainAfterOneRenewal()
    {
        var key = Guid.NewGuid().ToString("N");
        var observer = new NumberObserver();
        var stream = cluster.Client.GetStreamProvider(PushCluster.Provider).GetStream<int>(PushCluster.Stream(key));
        await stream.SubscribeAsync(observer);
        var producer = cluster.Client.GetGrain<IProducerGrain>(key);
        await producer.Produce(key, [1]);
        Assert.Equal(1, (await observer.TakeAsync(1))[0].Item);

        // Every idle activation ends, the stream's registry with it, as when its silo stops: it starts empty.
        var registry = cluster.Client.GetGrain<IPushStreamRegistryGrain>(IPushStreamRegistryGrain.KeyOf(PushCluster.Provider, PushCluster.Stream(key)));
        await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var lost = await registry.GetSubscribers();

        // The subscriber's next renewal registers it again.
        cluster.ClientTime.Advance(PushCluster.RenewalPeriod);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while ((await registry.GetSubscribers()).IsEmpty)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }

        await producer.Produce(key, [2]);

        Assert.Empty(lost);
        Assert.Equal(2, (await observer.TakeAsync(1))[0].Item);
    }

    [Fact]
    public async Task ASubscriptionCannotStartFromAToken()
    {
        var stream = cluster.Client.GetStreamProvider(PushCluster.Provider).GetStream<int>(PushCluster.Stream("rewind"));

        await Assert.ThrowsAsync<NotSupportedException>(() => stream.SubscribeAsync(new NumberObserver(), new PushSequenceToken(Guid.NewGuid(), 0)));
        Assert.False(stream.IsRewindable);
    }
}
