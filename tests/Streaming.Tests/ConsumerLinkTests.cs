using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Streaming.Tests;

/// <summary>
/// One producer's link to one subscriber, against a sink whose calls the test ends: one call in flight, what
/// came meanwhile in one next call, the oldest dropped beyond the bound (a gap in the numbers), and a failed call
/// that drops its items, asks for a new lookup and lets later items through.
/// </summary>
public sealed class ConsumerLinkTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly StreamId Stream = StreamId.Create("numbers", "link");
    private readonly HeldSink _sink = new();
    private int _staleCalls;

    [Fact]
    public async Task ItemsThatComeWhileACallIsInFlightGoInOneNextCallInOrder()
    {
        var link = Link(maxQueued: 100);

        link.Enqueue(0, [1]);
        var (first, firstDone) = await _sink.NextAsync();
        link.Enqueue(1, [2, 3]);
        link.Enqueue(3, [4]);
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

        link.Enqueue(0, [1]);
        var (_, firstDone) = await _sink.NextAsync();
        link.Enqueue(1, [2, 3, 4]);
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

        link.Enqueue(0, [new Sized(1, 10)]);
        var (_, firstDone) = await _sink.NextAsync();
        link.Enqueue(1, [new Sized(2, 400), new Sized(3, 400), "unsized", new Sized(4, 400)]);
        link.Enqueue(5, [new Sized(5, 5000)]);
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

        link.Enqueue(0, [1]);
        var (_, failed) = await _sink.NextAsync();
        failed.SetException(new TimeoutException("no answer"));
        link.Enqueue(1, [2]);
        var (next, nextDone) = await _sink.NextAsync();
        nextDone.SetResult();

        Assert.Equal(1, next.FirstSequence);
        Assert.Equal([2], next.Items.Cast<int>());
        Assert.Equal(1, link.Dropped);
        Assert.Equal(1, Volatile.Read(ref _staleCalls));
    }

    private ConsumerLink Link(int maxQueued, long maxQueuedBytes = long.MaxValue) =>
        new(Stream, Guid.NewGuid(), new PushSubscriber(Guid.NewGuid(), _sink), _ => null, maxQueued, maxQueuedBytes, () => Interlocked.Increment(ref _staleCalls), NullLogger.Instance);

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
