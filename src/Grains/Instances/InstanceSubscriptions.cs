using Broker.Grains.Events;
using Broker.Grains.Topics;

namespace Broker.Grains.Instances;

/// <summary>
/// The standing subscriptions of an instance's connections: each connection's filters and grants on its entry,
/// the same in the subscription trie, so that removing a connection removes exactly its trie entries. Two
/// system topics are not filters: <see cref="SystemTopics.Info"/> answers each SUBSCRIBE and stands for
/// nothing, and <see cref="SystemTopics.Events"/> makes the connection a listener of the instance's events.
/// </summary>
internal sealed class InstanceSubscriptions(InstanceEventSource events)
{
    private readonly SubscriptionTrie<ConnectionAddress> _trie = new();
    private readonly Dictionary<ConnectionAddress, byte> _matches = [];

    /// <summary>Adds a subscription, or replaces the connection's subscription with the same filter.</summary>
    public void Add(ConnectionEntry entry, SubscriptionRequest subscription)
    {
        if (subscription.Filter == SystemTopics.Info)
        {
            return;
        }

        var grant = SubscriptionGrant.Encode(subscription.Qos, subscription.RootSlash);
        entry.Subscriptions[subscription.Filter] = grant;
        if (subscription.Filter == SystemTopics.Events)
        {
            events.Listen(entry.Address, subscription.RootSlash);
        }
        else
        {
            _trie.Add(subscription.Filter, entry.Address, grant);
        }
    }

    /// <summary>Removes one of the connection's subscriptions; false when it had none with that filter.</summary>
    public bool Remove(ConnectionEntry entry, string filter)
    {
        if (!entry.Subscriptions.Remove(filter))
        {
            return false;
        }

        Forget(entry.Address, filter);
        return true;
    }

    /// <summary>Removes all of a connection's subscriptions, when the connection goes.</summary>
    public void RemoveAll(ConnectionEntry entry)
    {
        foreach (var filter in entry.Subscriptions.Keys)
        {
            Forget(entry.Address, filter);
        }
    }

    /// <summary>
    /// The connections with a subscription matching <paramref name="topic"/>, each with the best grant among its
    /// matching filters. The dictionary is reused by the next call.
    /// </summary>
    public Dictionary<ConnectionAddress, byte> Match(string topic)
    {
        _matches.Clear();
        _trie.Match(topic, _matches);
        return _matches;
    }

    private void Forget(ConnectionAddress connection, string filter)
    {
        if (filter == SystemTopics.Events)
        {
            events.StopListening(connection);
        }
        else
        {
            _trie.Remove(filter, connection);
        }
    }
}
