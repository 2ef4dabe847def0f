using Broker.Grains.Topics;

namespace Broker.Grains.Instances;

/// <summary>
/// What an instance keeps of the messages it routed: each topic's retained message (a retained message with an
/// empty payload clears it), and the last message of each topic within a memory budget, oldest topics forgotten
/// first. The retained changes since they were last taken wait to be written to the instance's store.
/// </summary>
internal sealed class InstanceMessages(long lastMessageBytes)
{
    private readonly LastMessageStore<PublishedMessage> _last = new(lastMessageBytes, message => message.Topic.Length + message.Payload.Length + 64);
    private readonly List<PublishedMessage> _matches = [];
    private readonly Dictionary<string, PublishedMessage> _retainedChanges = new(StringComparer.Ordinal);

    public RetainedMessageStore<PublishedMessage> Retained { get; } = new();

    public void Keep(PublishedMessage message)
    {
        _last.Set(message.Topic, message);
        if (!message.Retain)
        {
            return;
        }

        // Only a topic's last change in a turn needs writing.
        _retainedChanges[message.Topic] = message;
        if (message.Payload.Length == 0)
        {
            Retained.Remove(message.Topic);
        }
        else
        {
            Retained.Set(message.Topic, message);
        }
    }

    /// <summary>What a store loaded, before anything was routed.</summary>
    public void Restore(IEnumerable<PublishedMessage> retained)
    {
        foreach (var message in retained)
        {
            Retained.Set(message.Topic, message);
        }
    }

    /// <summary>The last retained message routed on each topic since the last call, for the store.</summary>
    public IReadOnlyList<PublishedMessage> TakeRetainedChanges()
    {
        if (_retainedChanges.Count == 0)
        {
            return [];
        }

        PublishedMessage[] changes = [.. _retainedChanges.Values];
        _retainedChanges.Clear();
        return changes;
    }

    /// <summary>The latest message on a topic matching <paramref name="filter"/>, or with <paramref name="retained"/> the first matching retained one.</summary>
    public PublishedMessage? Latest(string filter, bool retained)
    {
        if (!retained)
        {
            return _last.Latest(filter);
        }

        var matches = RetainedMatching(filter);
        var first = matches.Count > 0 ? matches[0] : null;
        matches.Clear();
        return first;
    }

    /// <summary>The retained messages matching <paramref name="filter"/>; the list is reused by the next call.</summary>
    public List<PublishedMessage> RetainedMatching(string filter)
    {
        _matches.Clear();
        Retained.Match(filter, _matches);
        return _matches;
    }
}
