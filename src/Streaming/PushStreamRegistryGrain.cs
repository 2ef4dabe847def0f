using System.Collections.Immutable;

namespace Broker.Streaming;

/// <summary>A stream's subscriptions, kept in memory as leases; the consumers' renewals are what makes them last.</summary>
internal sealed class PushStreamRegistryGrain(TimeProvider time) : Grain, IPushStreamRegistryGrain
{
    private readonly Dictionary<Guid, (PushSubscriber Subscriber, long ExpiresAt)> _subscriptions = [];

    public Task Register(PushSubscriber subscriber, TimeSpan leaseDuration)
    {
        _subscriptions[subscriber.SubscriptionId] = (subscriber, time.GetTimestamp() + (long)(leaseDuration.TotalSeconds * time.TimestampFrequency));
        return Task.CompletedTask;
    }

    public Task Unregister(Guid subscriptionId)
    {
        _subscriptions.Remove(subscriptionId);
        return Task.CompletedTask;
    }

    public Task<ImmutableArray<PushSubscriber>> GetSubscribers()
    {
        var now = time.GetTimestamp();
        foreach (var (id, entry) in _subscriptions.Where(entry => entry.Value.ExpiresAt < now).ToList())
        {
            _subscriptions.Remove(id);
        }

        return Task.FromResult(_subscriptions.Values.Select(entry => entry.Subscriber).ToImmutableArray());
    }
}
