using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Broker.Streaming;

/// <summary>
/// One stream's way out of this process: the subscribers the registry named (asked again every
/// <see cref="PushStreamOptions.SubscriberRefreshPeriod"/>, and at once after a failed delivery), and a
/// <see cref="ConsumerLink"/> per subscriber that hands each one every item, in order.
/// </summary>
internal sealed class StreamOutlet(StreamId stream, PushProducer producer, IPushStreamRegistryGrain registry, PushStreamOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// How long "no subscribers" is believed: a subscriber that registers (again, with a registry that restarted)
    /// is found this soon, at a cost of a registry call per period on a stream nobody listens to.
    /// </summary>
    private static readonly TimeSpan NoSubscribersRefreshPeriod = TimeSpan.FromMilliseconds(50);

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, ConsumerLink> _links = [];
    private Task<ImmutableArray<PushSubscriber>>? _lookup;
    private long _lookedUpAt;
    private long _nextSequence;

    public async Task ProduceAsync(IReadOnlyList<object> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        var subscribers = await SubscribersAsync();
        lock (_gate)
        {
            var first = _nextSequence;
            _nextSequence += items.Count;
            foreach (var subscriber in subscribers)
            {
                if (!_links.TryGetValue(subscriber.SubscriptionId, out var link))
                {
                    _links[subscriber.SubscriptionId] = link = new ConsumerLink(stream, producer.Epoch, subscriber, options.MaxQueuedItems, Stale, logger);
                }

                link.Enqueue(first, items);
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

    private Task<ImmutableArray<PushSubscriber>> SubscribersAsync()
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (_lookup is null || (_lookup.IsCompletedSuccessfully && time.GetElapsedTime(_lookedUpAt, now) > RefreshPeriod(_lookup.Result)))
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
        ImmutableArray<PushSubscriber> subscribers;
        try
        {
            subscribers = await registry.GetSubscribers();
        }
        catch
        {
            Stale();
            throw;
        }

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
