using System.Diagnostics;
using Orleans.Streams;

namespace Broker.Streaming.Tests;

/// <summary>
/// What a producing grain's awaited produce call waits for, with a client subscribed as the broker's gateways are: it
/// completes only once the subscriber in the other process has the items; a subscriber whose calls fail releases it
/// at the failure; and one that holds the items releases it after the confirmation timeout, and is then not waited
/// for while it has not caught up.
/// </summary>
public sealed class ConfirmationTests(PushCluster cluster) : IClassFixture<PushCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AProduceCompletesOnlyOnceTheSubscriberInTheOtherProcessHasAcceptedTheItems()
    {
        var key = NewKey();
        var observer = new HeldObserver();
        await Stream(key).SubscribeAsync(observer);
        var producer = cluster.Client.GetGrain<IProducerGrain>(key);

        var produced = producer.Produce(key, [1, 2]);
        var first = await observer.NextAsync();
        var whileTheFirstIsHeld = produced.IsCompleted;
        observer.Release();
        var second = await observer.NextAsync();
        var whileTheSecondIsHeld = produced.IsCompleted;
        observer.Release();
        await produced.WaitAsync(Timeout);

        Assert.Equal((1, 2), (first, second));
        Assert.False(whileTheFirstIsHeld);
        Assert.False(whileTheSecondIsHeld);
    }

    [Fact]
    public async Task ASubscriberWhoseCallsFailReleasesTheProducerAtTheFailureAndTheOthersStillReceive()
    {
        var key = NewKey();
        var healthy = new NumberObserver();
        await Stream(key).SubscribeAsync(new FailingObserver());
        await Stream(key).SubscribeAsync(healthy);
        var producer = cluster.Client.GetGrain<IProducerGrain>(key);

        var clock = Stopwatch.StartNew();
        await producer.Produce(key, [1]).WaitAsync(Timeout);
        var waited = clock.Elapsed;

        Assert.True(waited < PushCluster.ConfirmationTimeout, $"the produce took {waited}, as long as the timeout");
        Assert.Equal(1, (await healthy.TakeAsync(1))[0].Item);
    }

    [Fact]
    public async Task ASubscriberThatHoldsTheItemsReleasesTheProducerAfterTheTimeoutAndIsNotWaitedForUntilItHasCaughtUp()
    {
        var key = NewKey();
        var observer = new HeldObserver();
        await Stream(key).SubscribeAsync(observer);
        var producer = cluster.Client.GetGrain<IProducerGrain>(key);

        var clock = Stopwatch.StartNew();
        var first = producer.Produce(key, [1]);
        var held = await observer.NextAsync();
        await first.WaitAsync(Timeout);
        var firstWaited = clock.Elapsed;
        clock.Restart();
        await producer.Produce(key, [2]).WaitAsync(Timeout);
        var secondWaited = clock.Elapsed;
        observer.Release();
        var next = await observer.NextAsync();
        observer.Release();

        Assert.Equal((1, 2), (held, next));
        Assert.True(firstWaited >= PushCluster.ConfirmationTimeout, $"the first produce was released after {firstWaited}");
        Assert.True(secondWaited < PushCluster.ConfirmationTimeout, $"the second produce took {secondWaited}, as long as the timeout");
    }

    private static string NewKey() => Guid.NewGuid().ToString("N");

    private IAsyncStream<int> Stream(string key) => cluster.Client.GetStreamProvider(PushCluster.Provider).GetStream<int>(PushCluster.Stream(key));

    /// <summary>A subscriber that fails every item, as one whose process cannot take them.</summary>
    private sealed class FailingObserver : IAsyncObserver<int>
    {
        public Task OnNextAsync(int item, StreamSequenceToken? token = null) => Task.FromException(new InvalidOperationException("this subscriber fails"));

        public Task OnCompletedAsync() => Task.CompletedTask;

        public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    }
}
