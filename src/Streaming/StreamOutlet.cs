using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Broker.Streaming;

/// <summary>
/// One stream's way out of this process: the subscribers the registry named (asked again every
/// <see cref="PushStreamOptions.SubscriberRefreshPeriod"/>, and at once after a failed delivery), and a
/// <see cref="ConsumerLink"/> per subscriber that hands each one every item, in order. Items are numbered and handed
/// to the links in the order of the produce calls, also when a call has to wait for a lookup: calls that come
/// meanwhile wait behind it, so a producer need not await one call before it makes the next.
/// </summary>
internal sealed class StreamOutlet(
    StreamId stream,
    IPushStreamRegistryGrain registry,
    Func<Guid, IPushStreamConsumer?> localSinks,
    PushStreamOptions options,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>
    /// How long "no subscribers" is believed: a subscriber that registers (again, with a registry that restarted)
    /// is found this soon, at a cost of a registry call per period on a stream nobody listens to.
    /// </summary>
    private static readonly TimeSpan NoSubscribersRefreshPeriod = TimeSpan.FromMilliseconds(50);

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, ConsumerLink> _links = [];
    private readonly Queue<(IReadOnlyList<object> Items, DeliveryConfirmation Confirmation)> _waitingForLookup = new();
    private readonly Guid _epoch = Guid.NewGuid();
    private Task<ImmutableArray<PushSubscriber>>? _lookup;
    private long _lookedUpAt;
    private long _nextSequence;
    private long _producedAt = time.GetTimestamp();
    private bool _retired;

    /// <summary>How long ago something was last produced here.</summary>
    public TimeSpan IdleFor => time.GetElapsedTime(Volatile.Read(ref _producedAt));

    /// <summary>
    /// Hands the items to every subscriber's link, after those of earlier calls. The task completes when every link
    /// that holds them is done with them (<see cref="DeliveryConfirmation"/>), and fails when the subscribers could not
    /// be looked up. Null when the outlet was retired (use a new one).
    /// </summary>
    public Task? TryProduce(IReadOnlyList<object> items)
    {
        lock (_gate)
        {
            if (_retired)
            {
                return null;
            }

            Volatile.Write(ref _producedAt, time.GetTimestamp());
            var lookup = Subscribers();
            if (_waitingForLookup.Count == 0 && lookup.IsCompletedSuccessfully)
            {
                return HandOver(lookup.Result, items, confirmation: null);
            }

            var waiting = new DeliveryConfirmation();
            _waitingForLookup.Enqueue((items, waiting));
            if (_waitingForLookup.Count == 1)
            {
                // Off the producer's grain: the links are free-threaded.
                _ = lookup.ContinueWith(static (done, outlet) => ((StreamOutlet)outlet!).HandOverWaiting(done), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            return waiting.Task;
        }
    }

    /// <summary>Ends the outlet if nothing was produced on it for <paramref name="idleTimeout"/>; its links finish what they hold.</summary>
    public bool TryRetire(TimeSpan idleTimeout)
    {
        lock (_gate)
        {
            _retired = IdleFor > idleTimeout;
            return _retired;
        }
    }

    /// <summary>Numbers the items and queues them in every subscriber's link; returns what the call waits for.</summary>
    private Task HandOver(ImmutableArray<PushSubscriber> subscribers, IReadOnlyList<object> items, DeliveryConfirmation? confirmation)
    {
        var first = _nextSequence;
        _nextSequence += items.Count;
        foreach (var subscriber in subscribers)
        {
            if (!_links.TryGetValue(subscriber.SubscriptionId, out var link))
            {
                _links[subscriber.SubscriptionId] = link = new ConsumerLink(stream, _epoch, subscriber, localSinks, options, Stale, time, logger);
            }

            link.Enqueue(first, items, ref confirmation);
        }

        if (confirmation is null)
        {
            return Task.CompletedTask;
        }

        confirmation.Release();
        return confirmation.Task;
    }

    /// <summary>Hands over, in order, the calls that waited for a lookup; if it failed, they all fail with it.</summary>
    private void HandOverWaiting(Task<ImmutableArray<PushSubscriber>> lookup)
    {
        lock (_gate)
        {
            while (_waitingForLookup.TryDequeue(out var waiting))
            {
                if (lookup.IsCompletedSuccessfully)
                {
                    HandOver(lookup.Result, waiting.Items, waiting.Confirmation);
                }
                else if (lookup.Exception is { } failure)
                {
                    waiting.Confirmation.TrySetException(failure.InnerExceptions);
                }
                else
                {
                    waiting.Confirmation.TrySetCanceled();
                }
            }
        }
    }

    /// <summary>A delivery failed: the subscriber may be gone, so the next item asks the registry again.</summary>
    private void Stale()
    {
        lock (_gate)
        {
            _lookup = null;
        }
    }

    /// <summary>The lookup to use now, started afresh when there is none, it failed, or it is older than its refresh period.</summary>
    private Task<ImmutableArray<PushSubscriber>> Subscribers()
    {
        // A failed lookup is asked again at once; it may have failed before it was stored here.
        var now = time.GetTimestamp();
        if (_lookup is null
            || (_lookup.IsCompleted && (!_lookup.IsCompletedSuccessfully || time.GetElapsedTime(_lookedUpAt, now) > RefreshPeriod(_lookup.Result))))
        {
            _lookedUpAt = now;
            _lookup = LookUpAsync();
        }

        return _lookup;
    }

    private TimeSpan RefreshPeriod(ImmutableArray<PushSubscriber> subscribers) =>
        subscribers.IsEmpty ? NoSubscribersRefreshPeriod : options.SubscriberRefreshPeriod;

    private async Task<ImmutableArray<PushSubscriber>> LookUpAsync()
    {
        var subscribers = await registry.GetSubscribers();
        lock (_gate)
        {
            // Links of subscriptions that ended are forgotten; each still sends what it holds, settling the calls that wait on it.
            foreach (var id in _links.Keys.Where(id => !subscribers.Any(subscriber => subscriber.SubscriptionId == id)).ToList())
            {
                _links.Remove(id);
            }
        }

        return subscribers;
    }
}
