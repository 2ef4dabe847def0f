using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Streaming.Tests;

/// <summary>
/// One producer's link to one subscriber, against a sink whose calls the test ends, on fake time: one call in flight,
/// what came meanwhile in one next call, the oldest dropped beyond the bound (a gap in the numbers), and a failed call
/// that drops its items, asks for a new lookup and lets later items through. A produce call is confirmed when the call
/// that carried its last item returned, failed, or came after its dropped items; a subscriber that keeps it waiting
/// for the timeout releases it and is not waited for until it has caught up; one in the producer's own process is
/// not waited for at all.
/// </summary>
public sealed class ConsumerLinkTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ConfirmationTimeout = TimeSpan.FromSeconds(2);
    private static readonly StreamId Stream = StreamId.Create("numbers", "link");
    private readonly HeldSink _sink = new();
    private readonly FakeTimeProvider _time = new();
    private readonly LogChannel _log = new();
    private int _staleCalls;

    [Fact]
    public async Task ItemsThatComeWhileACallIsInFlightGoInOneNextCallInOrder()
    {
        var link = Link(maxQueued: 100);

        TryEnqueue(link, 0, [1]);
        var (first, firstDone) = await _sink.NextAsync();
        TryEnqueue(link, 1, [2, 3]);
        TryEnqueue(link, 3, [4]);
        firstDone.SetResult();
        var (second, secondDone) = await _sink.NextAsync();
        secondDone.SetResult();

        Assert.Equal(0, first.FirstSequence);
        Assert.Equal([1], first.Items.Cast<int>());
        Assert.Equal(1, second.FirstSequence);
        Assert.Equal([2, 3, 4], second.Items.Cast<int>());
        Assert.Equal(0, link.Dropped);
    }

    [Fact]
    public async Task BeyondTheBoundTheOldestWaitingItemsAreDroppedAndTheNumbersShowTheGap()
    {
        var link = Link(maxQueued: 2);

        TryEnqueue(link, 0, [1]);
        var (_, firstDone) = await _sink.NextAsync();
        TryEnqueue(link, 1, [2, 3, 4]);
        firstDone.SetResult();
        var (second, secondDone) = await _sink.NextAsync();
        secondDone.SetResult();

        Assert.Equal(2, second.FirstSequence);
        Assert.Equal([3, 4], second.Items.Cast<int>());
        Assert.Equal(1, link.Dropped);
    }

    [Fact]
    public async Task BeyondTheByteBoundTheOldestWaitingItemsAreDroppedButTheNewestStaysHoweverLarge()
    {
        var link = Link(maxQueued: 100, maxQueuedBytes: 1000);

        TryEnqueue(link, 0, [new Sized(1, 10)]);
        var (_, firstDone) = await _sink.NextAsync();
        TryEnqueue(link, 1, [new Sized(2, 400), new Sized(3, 400), "unsized", new Sized(4, 400)]);
        TryEnqueue(link, 5, [new Sized(5, 5000)]);
        firstDone.SetResult();
        var (second, secondDone) = await _sink.NextAsync();
        secondDone.SetResult();

        Assert.Equal(5, second.FirstSequence);
        Assert.Equal([5], second.Items.Cast<Sized>().Select(item => item.Number));
        Assert.Equal(4, link.Dropped);
    }

    [Fact]
    public async Task AFailedCallDropsItsItemsAsksForANewLookupAndLaterItemsGoThrough()
    {
        var link = Link(maxQueued: 100);

        TryEnqueue(link, 0, [1]);
        var (_, failed) = await _sink.NextAsync();
        failed.SetException(new TimeoutException("no answer"));
        TryEnqueue(link, 1, [2]);
        var (next, nextDone) = await _sink.NextAsync();
        nextDone.SetResult();

        Assert.Equal(1, next.FirstSequence);
        Assert.Equal([2], next.Items.Cast<int>());
        Assert.Equal(1, link.Dropped);
        Assert.Equal(1, Volatile.Read(ref _staleCalls));
    }

    [Fact]
    public async Task AProduceIsConfirmedWhenTheCallCarryingItsLastItemHasReturned()
    {
        var link = Link(maxQueued: 100);

        var first = Enqueue(link, 0, [1]);
        var (_, firstDone) = await _sink.NextAsync();
        var second = Enqueue(link, 1, [2, 3]);
        var firstBeforeItsCallReturned = first.IsCompleted;
        firstDone.SetResult();
        await first.WaitAsync(Timeout);
        var (_, secondDone) = await _sink.NextAsync();
        var secondBeforeItsCallReturned = second.IsCompleted;
        secondDone.SetResult();
        await second.WaitAsync(Timeout);

        Assert.False(firstBeforeItsCallReturned);
        Assert.False(secondBeforeItsCallReturned);
    }

    [Fact]
    public async Task AFailedCallSettlesItsProduceAtOnceWithoutConfirmingIt()
    {
        var link = Link(maxQueued: 100);

        var produced = Enqueue(link, 0, [1]);
        var (_, failed) = await _sink.NextAsync();
        failed.SetException(new TimeoutException("no answer"));

        // The fake clock never moves: the failure, not the timeout, ends the wait.
        await produced.WaitAsync(Timeout);
        Assert.Equal(1, link.Dropped);
    }

    [Fact]
    public async Task DroppedItemsSettleTheirProduceWhenTheCallAfterThemHasReturned()
    {
        var link = Link(maxQueued: 1);

        var inFlight = Enqueue(link, 0, [1]);
        var (_, firstDone) = await _sink.NextAsync();
        var dropped = Enqueue(link, 1, [2]);
        var kept = Enqueue(link, 2, [3]);
        firstDone.SetResult();
        var (second, secondDone) = await _sink.NextAsync();
        var droppedBeforeTheNextCallReturned = dropped.IsCompleted;
        secondDone.SetResult();
        await Task.WhenAll(inFlight, dropped, kept).WaitAsync(Timeout);

        Assert.False(droppedBeforeTheNextCallReturned);
        Assert.Equal([3], second.Items.Cast<int>());
        Assert.Equal(1, link.Dropped);
    }

    [Fact]
    public async Task ASubscriberThatKeepsAProducerWaitingForTheTimeoutReleasesItAndIsWaitedForAgainOnlyOnceCaughtUp()
    {
        var link = Link(maxQueued: 100);

        var held = Enqueue(link, 0, [1]);
        var (_, firstDone) = await _sink.NextAsync();
        _time.Advance(ConfirmationTimeout - TimeSpan.FromMilliseconds(1));
        var beforeTheTimeout = held.IsCompleted;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var atTheTimeout = held.IsCompleted;
        var lagging = await _log.NextAsync("has not accepted items");
        var whileLagging = TryEnqueue(link, 1, [2]);
        firstDone.SetResult();
        var (second, secondDone) = await _sink.NextAsync();
        secondDone.SetResult();
        var caughtUp = await _log.NextAsync("has caught up");
        var afterCatchingUp = TryEnqueue(link, 2, [3]);
        var (_, thirdDone) = await _sink.NextAsync();
        thirdDone.SetResult();

        Assert.False(beforeTheTimeout);
        Assert.True(atTheTimeout);
        Assert.Equal(LogLevel.Warning, lagging.Level);
        Assert.Contains("1 waiting produce calls released", lagging.Message, StringComparison.Ordinal);
        Assert.Null(whileLagging);
        Assert.Equal([2], second.Items.Cast<int>());
        Assert.Equal(LogLevel.Information, caughtUp.Level);
        Assert.NotNull(afterCatchingUp);
        await afterCatchingUp.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task ASubscriberInTheProducersOwnProcessIsNotWaitedFor()
    {
        var link = Link(maxQueued: 100, local: true);

        var confirmation = TryEnqueue(link, 0, [1]);
        var (batch, done) = await _sink.NextAsync();
        done.SetResult();

        Assert.Null(confirmation);
        Assert.Equal([1], batch.Items.Cast<int>());
    }

    [Fact]
    public async Task WithAZeroTimeoutNoSubscriberIsWaitedFor()
    {
        var link = Link(maxQueued: 100, confirmationTimeout: TimeSpan.Zero);

        var confirmation = TryEnqueue(link, 0, [1]);
        var (_, done) = await _sink.NextAsync();
        done.SetResult();

        Assert.Null(confirmation);
    }

    /// <summary>Queues the items as a produce call does; the task is what that call waits for, which this link must hold.</summary>
    private static Task Enqueue(ConsumerLink link, long first, IReadOnlyList<object> items)
    {
        var confirmation = TryEnqueue(link, first, items);
        Assert.NotNull(confirmation);
        return confirmation.Task;
    }

    /// <summary>Queues the items as a produce call does, and lets go of the producer's own count; null when the link does not wait.</summary>
    private static DeliveryConfirmation? TryEnqueue(ConsumerLink link, long first, IReadOnlyList<object> items)
    {
        DeliveryConfirmation? confirmation = null;
        link.Enqueue(first, items, ref confirmation);
        confirmation?.Release();
        return confirmation;
    }

    private ConsumerLink Link(int maxQueued, long maxQueuedBytes = long.MaxValue, bool local = false, TimeSpan? confirmationTimeout = null)
    {
        var options = new PushStreamOptions
        {
            MaxQueuedItems = maxQueued,
            MaxQueuedBytes = maxQueuedBytes,
            ConfirmationTimeout = confirmationTimeout ?? ConfirmationTimeout,
        };
        return new ConsumerLink(
            Stream,
            Guid.NewGuid(),
            new PushSubscriber(Guid.NewGuid(), _sink),
            _ => local ? _sink : null,
            options,
            () => Interlocked.Increment(ref _staleCalls),
            _time,
            _log);
    }

    /// <summary>An item that says how large it is.</summary>
    private sealed record Sized(int Number, long Size) : ISizedStreamItem;

    /// <summary>A sink whose every call waits until the test ends it.</summary>
    private sealed class HeldSink : IPushStreamConsumer
    {
        private readonly Channel<(PushBatch, TaskCompletionSource)> _calls = Channel.CreateUnbounded<(PushBatch, TaskCompletionSource)>();

        public Task Deliver(PushBatch batch)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _calls.Writer.TryWrite((batch, done));
            return done.Task;
        }

        public async Task<(PushBatch Batch, TaskCompletionSource Done)> NextAsync() => await _calls.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
    }
}
