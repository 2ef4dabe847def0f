using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Broker.Streaming;

/// <summary>
/// What one producer process sends one subscriber of one stream: at most one call in flight, and everything that
/// came meanwhile in the next call, in order. At most <see cref="PushStreamOptions.MaxQueuedItems"/> items and
/// <see cref="PushStreamOptions.MaxQueuedBytes"/> bytes (<see cref="ISizedStreamItem"/>) wait; beyond that the oldest
/// are dropped, which the subscriber sees as a gap in the sequence numbers. A subscriber in this process (a client
/// co-hosted with the silo) is called directly, as <paramref name="localSinks"/> finds it: no Orleans message, no copy
/// of the items (which are immutable), no thread hop for the answer. A grain is not found there: it is always called
/// through Orleans, so that its deliveries run in its own turns.
/// </summary>
/// <remarks>
/// A produce call's <see cref="DeliveryConfirmation"/> is counted off when the call that carried its last item here
/// has returned or failed, or when the items were dropped and the call after them returned. A subscriber in this
/// process is not waited for: it lives and dies with the producer. One that has kept a producer waiting for
/// <see cref="PushStreamOptions.ConfirmationTimeout"/> releases its waiting producers and is lagging: it is not waited
/// for until it has caught up, that is until nothing of it is queued or in flight, so that a slow subscriber costs
/// producers one timeout, not one per call.
/// </remarks>
internal sealed partial class ConsumerLink(
    StreamId stream,
    Guid epoch,
    PushSubscriber subscriber,
    Func<Guid, IPushStreamConsumer?> localSinks,
    PushStreamOptions options,
    Action stale,
    TimeProvider time,
    ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly Queue<(object Item, long Size)> _queued = new();
    private readonly Queue<Waiter> _waiters = new();
    private long _queuedBytes;
    private long _firstQueuedSequence;
    private bool _sending;
    private bool _failing;
    private bool _lagging;
    private ITimer? _timeout;
    private bool _timeoutArmed;

    /// <summary>Items dropped because the subscriber did not keep up or could not be reached.</summary>
    public long Dropped { get; private set; }

    /// <summary>
    /// Queues items numbered from <paramref name="first"/> (each link of a stream gets every item, so the queue stays
    /// contiguous). Unless this subscriber is not waited for, it joins <paramref name="confirmation"/>, made here if the
    /// call has none yet.
    /// </summary>
    public void Enqueue(long first, IReadOnlyList<object> items, ref DeliveryConfirmation? confirmation)
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

            while (_queued.Count > options.MaxQueuedItems || (_queuedBytes > options.MaxQueuedBytes && _queued.Count > 1))
            {
                _queuedBytes -= _queued.Dequeue().Size;
                _firstQueuedSequence++;
                Dropped++;
            }

            if (!_lagging && options.ConfirmationTimeout > TimeSpan.Zero && localSinks(subscriber.SubscriptionId) is null)
            {
                confirmation ??= new DeliveryConfirmation();
                confirmation.Add();
                _waiters.Enqueue(new Waiter(first + items.Count, confirmation, time.GetTimestamp()));
                ArmTimeout(options.ConfirmationTimeout);
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
            PushBatch? batch = null;
            var caughtUp = false;
            lock (_gate)
            {
                if (_queued.Count == 0)
                {
                    _sending = false;
                    (caughtUp, _lagging) = (_lagging, false);
                }
                else
                {
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
            }

            if (batch is null)
            {
                if (caughtUp)
                {
                    LogCaughtUp(stream, subscriber.SubscriptionId);
                }

                return;
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
                    LogDeliveryFailed(stream, subscriber.SubscriptionId, batch.Items.Length, FailureReason.Of(exception));
                }

                stale();
            }

            Settle(batch.FirstSequence + batch.Items.Length);
        }
    }

    /// <summary>Counts off the produce calls whose items all came before <paramref name="end"/>: handed over, failed or dropped.</summary>
    private void Settle(long end)
    {
        lock (_gate)
        {
            while (_waiters.TryPeek(out var waiter) && waiter.End <= end)
            {
                _waiters.Dequeue();
                waiter.Confirmation.Release();
            }
        }
    }

    /// <summary>Arms the timeout for the oldest waiting produce call, unless it is armed already.</summary>
    private void ArmTimeout(TimeSpan due)
    {
        if (_timeoutArmed)
        {
            return;
        }

        _timeoutArmed = true;
        _timeout ??= time.CreateTimer(static link => ((ConsumerLink)link!).OnTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timeout.Change(due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Releases the waiting produce calls if the oldest has waited for the whole timeout, and marks the subscriber lagging.</summary>
    private void OnTimeout()
    {
        int released;
        lock (_gate)
        {
            _timeoutArmed = false;
            if (!_waiters.TryPeek(out var oldest))
            {
                return;
            }

            var waited = time.GetElapsedTime(oldest.Since);
            if (waited < options.ConfirmationTimeout)
            {
                ArmTimeout(options.ConfirmationTimeout - waited);
                return;
            }

            released = _waiters.Count;
            while (_waiters.TryDequeue(out var waiter))
            {
                waiter.Confirmation.Release();
            }

            _lagging = true;
        }

        LogLagging(stream, subscriber.SubscriptionId, options.ConfirmationTimeout.TotalSeconds, released);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push stream {Stream}: delivering {Count} items to subscription {Subscription} failed ({Reason}); items are dropped until it answers again")]
    private partial void LogDeliveryFailed(StreamId stream, Guid subscription, int count, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push stream {Stream}: subscription {Subscription} receives again")]
    private partial void LogRecovered(StreamId stream, Guid subscription);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push stream {Stream}: subscription {Subscription} has not accepted items for {Timeout} s; {Count} waiting produce calls released, and producers no longer wait for it until it has caught up")]
    private partial void LogLagging(StreamId stream, Guid subscription, double timeout, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push stream {Stream}: subscription {Subscription} has caught up; producers wait for it again")]
    private partial void LogCaughtUp(StreamId stream, Guid subscription);

    /// <summary>A produce call waiting here until the items before <see cref="End"/> are settled; <see cref="Since"/> is a timestamp.</summary>
    private readonly record struct Waiter(long End, DeliveryConfirmation Confirmation, long Since);
}
