using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Streaming.Tests;

/// <summary>
/// A producing silo keeps what it knows of a stream only while something is produced on it: streams that ended
/// (a gateway that went away) leave nothing behind; a failed lookup of a stream's subscribers is not kept; and produce
/// calls that were not awaited reach the subscribers in call order, also when the first of them waits for a lookup.
/// </summary>
public sealed class PushProducerTests : IDisposable
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _time = new();
    private readonly RegistryOnlyGrainFactory _grains = RegistryOnlyGrainFactory.Create();
    private readonly PushProducer _producer;

    public PushProducerTests() =>
        _producer = new PushProducer("push", () => _grains.Factory, _ => null, new PushStreamOptions { OutletIdleTimeout = IdleTimeout }, _time, NullLogger.Instance);

    [Fact]
    public async Task AStreamNothingWasProducedOnForTheIdleTimeoutIsForgottenAndMadeAgainWhenUsed()
    {
        await _producer.ProduceAsync(StreamId.Create("numbers", "gone"), [1]);
        await _producer.ProduceAsync(StreamId.Create("numbers", "busy"), [1]);
        Assert.Equal(2, _producer.OutletCount);

        _time.Advance(IdleTimeout / 2);
        await _producer.ProduceAsync(StreamId.Create("numbers", "busy"), [2]);
        _time.Advance(IdleTimeout / 2 + TimeSpan.FromSeconds(1));

        Assert.Equal(1, _producer.OutletCount);
        await _producer.ProduceAsync(StreamId.Create("numbers", "gone"), [3]);
        Assert.Equal(2, _producer.OutletCount);
    }

    [Fact]
    public async Task NothingToProduceTouchesNoStream()
    {
        await _producer.ProduceAsync(StreamId.Create("numbers", "empty"), []);

        Assert.Equal(0, _producer.OutletCount);
        Assert.Equal(0, _grains.Registry.Lookups);
    }

    [Fact]
    public async Task ALookupThatFailedAtOnceIsAskedAgainByTheNextProduce()
    {
        var stream = StreamId.Create("numbers", "registry-down");
        _grains.Registry.FailuresToCome = 1;

        await Assert.ThrowsAsync<TimeoutException>(() => _producer.ProduceAsync(stream, [1]));
        await _producer.ProduceAsync(stream, [2]);

        Assert.Equal(2, _grains.Registry.Lookups);
    }

    [Fact]
    public async Task ProducesMadeWhileALookupIsUnderWayReachTheSubscriberInCallOrder()
    {
        var stream = StreamId.Create("numbers", "lookup-under-way");
        var sink = new RecordingSink();
        _grains.Registry.Subscribers = [new PushSubscriber(Guid.NewGuid(), sink)];
        var lookup = _grains.Registry.HoldNextLookup();

        var produced = new List<Task> { _producer.ProduceAsync(stream, [1]), _producer.ProduceAsync(stream, [2]) };
        var beforeTheLookup = produced.Select(task => task.IsCompleted).ToArray();
        lookup.SetResult();
        produced.Add(_producer.ProduceAsync(stream, [3]));
        produced.Add(_producer.ProduceAsync(stream, [4, 5]));
        var received = await sink.TakeAsync(5);
        await Task.WhenAll(produced).WaitAsync(RecordingSink.Timeout);

        Assert.Equal([false, false], beforeTheLookup);
        Assert.Equal([1, 2, 3, 4, 5], received.Select(entry => entry.Item));
        Assert.Equal([0L, 1, 2, 3, 4], received.Select(entry => entry.Sequence));
        Assert.Equal(1, _grains.Registry.Lookups);
    }

    public void Dispose() => _producer.Dispose();

    /// <summary>A subscriber in another process, as the producer sees it, that answers at once and keeps every item with its number.</summary>
    private sealed class RecordingSink : IPushStreamConsumer
    {
        public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

        private readonly Channel<(int Item, long Sequence)> _received = Channel.CreateUnbounded<(int, long)>();

        public Task Deliver(PushBatch batch)
        {
            for (var i = 0; i < batch.Items.Length; i++)
            {
                _received.Writer.TryWrite(((int)batch.Items[i], batch.FirstSequence + i));
            }

            return Task.CompletedTask;
        }

        public async Task<List<(int Item, long Sequence)>> TakeAsync(int count)
        {
            using var timeout = new CancellationTokenSource(Timeout);
            var items = new List<(int, long)>();
            while (items.Count < count)
            {
                items.Add(await _received.Reader.ReadAsync(timeout.Token));
            }

            return items;
        }
    }
}
