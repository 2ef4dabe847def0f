using Broker.Grains.Events;

namespace Broker.Grains.Instances;

/// <summary>
/// An instance's publish path within one grain turn: a message is shown to the event listeners, kept (as the
/// topic's last and perhaps retained message), and handed to the gateway of every connection with a matching
/// subscription, once per connection at the lower of granted and published QoS. A connection that listens to
/// <see cref="SystemTopics.Events"/> receives only events. A new subscription receives the retained messages it
/// matches.
/// </summary>
internal sealed class MessageRouter(InstanceSubscriptions subscriptions, InstanceMessages messages, GatewayLeases gateways, InstanceEventSource events)
{
    /// <summary>Routes a message published by <paramref name="publisher"/> (null: unknown or none); returns the number of deliveries.</summary>
    public int Route(PublishedMessage message, ConnectionEntry? publisher)
    {
        events.Published(message, publisher);
        messages.Keep(message);
        var delivered = 0;
        foreach (var (address, grant) in subscriptions.Match(message.Topic))
        {
            var qos = Math.Min(SubscriptionGrant.Qos(grant), message.Qos);
            if (!events.IsListening(address) && gateways.Deliver(address, message, qos, SubscriptionGrant.RootSlash(grant)))
            {
                delivered++;
            }
        }

        return delivered;
    }

    /// <summary>Adds the retained messages a new subscription receives, at the lower of their QoS and the subscription's.</summary>
    public void AddRetained(SubscriptionRequest subscription, ImmutableArray<RetainedDelivery>.Builder deliveries)
    {
        foreach (var message in messages.RetainedMatching(subscription.Filter))
        {
            deliveries.Add(new RetainedDelivery(message, Math.Min(message.Qos, subscription.Qos), subscription.RootSlash));
        }
    }
}
