using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Broker.Streaming;

/// <summary>
/// What one producer process sends one subscriber of one stream: at most one call in flight, and everything that
/// came meanwhile in the next call, in order. At most <c>maxQueuedItems</c> items and <c>maxQueuedBytes</c> bytes
/// (<see cref="ISizedStreamItem"/>) wait; beyond that the oldest are dropped, which the subscriber sees as a gap in
/// the sequence numbers. A subscriber in this process (a client co-hosted with the silo) is called directly, as
/// <paramref name="localSinks"/> finds it: no Orleans message, no copy of the items (which are immutable), no thread
/// hop for the answer. A grain is not found there: it is always called through Orleans, so that its deliveries run
/// in its own turns.
/// </summary>
internal sealed partial class ConsumerLink(
    StreamId stream,
    Guid epoch,
    PushSubscriber subscriber,
    Func<Guid, IPushStreamConsumer?> localSinks,
    int maxQueuedItems,
    long maxQueuedBytes,
    Action stale,
    ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly Queue<(object Item, long Size)> _queued = new();
    private long _queuedBytes;
    private long _firstQueuedSequence;
    private bool _sending;
    private bool _failing;

    /// <summary>Items dropped because the subscriber did not keep up or could not be reached.</summary>
    public long Dropped { get; private set; }

    /// <summary>Queues items numbered from <paramref name="first"/> (each link of a stream gets every item, so the queue stays contiguous).</summary>
    public void Enqueue(long first, IReadOnlyList<object> items)
    {
        lock (_gate)
        {
            if (_queued.Count == 0)
            {
                _firstQueuedSequence = first;
            }

            foreach (var item in items)
            {
                var size = item is ISizedStreamItem sized ? sized.Size : 0;
                _queued.Enqueue((item, size));
                _queuedBytes += size;
            }

            while (_queued.Count > maxQueuedItems || (_queuedBytes > maxQueuedBytes && _queued.Count > 1))
            {
                _queuedBytes -= _queued.Dequeue().Size;
                _firstQueuedSequence++;
                Dropped++;
            }

            if (_sending)
            {
                return;
            }

            _sending = true;
        }

        // The calls leave the producer's grain turn: the grain goes on while the subscriber is called.
        _ = Task.Run(SendLoopAsync);
    }

    private async Task SendLoopAsync()
    {
        while (true)
        {
            PushBatch batch;
            lock (_gate)
            {
                if (_queued.Count == 0)
                {
                    _sending = false;
                    return;
                }

                var items = ImmutableArray.CreateBuilder<object>(_queued.Count);
                foreach (var (item, _) in _queued)
                {
                    items.Add(item);
                }

                batch = new PushBatch(stream, epoch, _firstQueuedSequence, items.MoveToImmutable(), subscriber.SubscriptionId);
                _firstQueuedSequence += _queued.Count;
                _queued.Clear();
                _queuedBytes = 0;
            }

            try
            {
                // Looked up per call: a subscription ended here is no longer called, as its deleted reference is not.
                var sink = localSinks(subscriber.SubscriptionId) ?? subscriber.Consumer;
                await sink.Deliver(batch);
                if (_failing)
                {
                    _failing = false;
                    LogRecovered(stream, subscriber.SubscriptionId);
                }
            }
            catch (Exception exception)
            {
                lock (_gate)
                {
                    Dropped += batch.Items.Length;
                }

                if (!_failing)
                {
                    _failing = true;
                    LogDeliveryFailed(stream, subscriber.SubscriptionId, batch.Items.Length, exception.Message);
                }

                stale();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push stream {Stream}: delivering {Count} items to subscription {Subscription} failed ({Reason}); items are dropped until it answers again")]
    private partial void LogDeliveryFailed(StreamId stream, Guid subscription, int count, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push stream {Stream}: subscription {Subscription} receives again")]
    private partial void LogRecovered(StreamId stream, Guid subscription);
}
