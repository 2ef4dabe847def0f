using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Broker.Streaming;

/// <summary>
/// One stream's way out of this process: the subscribers the registry named (asked again every
/// <see cref="PushStreamOptions.SubscriberRefreshPeriod"/>, and at once after a failed delivery), and a
/// <see cref="ConsumerLink"/> per subscriber that hands each one every item, in order.
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
    private readonly Guid _epoch = Guid.NewGuid();
    private Task<ImmutableArray<PushSubscriber>>? _lookup;
    private long _lookedUpAt;
    private long _nextSequence;
    private long _producedAt = time.GetTimestamp();
    private bool _retired;

    /// <summary>How long ago something was last produced here.</summary>
    public TimeSpan IdleFor => time.GetElapsedTime(Volatile.Read(ref _producedAt));

    /// <summary>Hands the items to every subscriber's link; false when the outlet was retired meanwhile (use a new one).</summary>
    public async Task<bool> TryProduceAsync(IReadOnlyList<object> items)
    {
        Volatile.Write(ref _producedAt, time.GetTimestamp());
        var subscribers = await SubscribersAsync();
        lock (_gate)
        {
            if (_retired)
            {
                return false;
            }

            var first = _nextSequence;
            _nextSequence += items.Count;
            foreach (var subscriber in subscribers)
            {
                if (!_links.TryGetValue(subscriber.SubscriptionId, out var link))
                {
                    _links[subscriber.SubscriptionId] = link = new ConsumerLink(stream, _epoch, subscriber, localSinks, options.MaxQueuedItems, options.MaxQueuedBytes, Stale, logger);
                }

                link.Enqueue(first, items);
            }
        }

        return true;
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

    /// <summary>A delivery failed: the subscriber may be gone, so the next item asks the registry again.</summary>
    private void Stale()
    {
        lock (_gate)
        {
            _lookup = null;
        }
    }

    private Task<ImmutableArray<PushSubscriber>> SubscribersAsync()
    {
        lock (_gate)
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
    }

    private TimeSpan RefreshPeriod(ImmutableArray<PushSubscriber> subscribers) =>
        subscribers.IsEmpty ? NoSubscribersRefreshPeriod : options.SubscriberRefreshPeriod;

    private async Task<ImmutableArray<PushSubscriber>> LookUpAsync()
    {
        var subscribers = await registry.GetSubscribers();
        lock (_gate)
        {
            // Links of subscriptions that ended are dropped with what waits in them.
            foreach (var id in _links.Keys.Where(id => !subscribers.Any(subscriber => subscriber.SubscriptionId == id)).ToList())
            {
                _links.Remove(id);
            }
        }

        return subscribers;
    }
}
