using Broker.Grains.Topics;

namespace Broker.Grains.Instances;

/// <summary>
/// What an instance keeps of the messages it routed: each topic's retained message (a retained message with an
/// empty payload clears it), and the last message of each topic within a memory budget, oldest topics forgotten
/// first.
/// </summary>
internal sealed class InstanceMessages(long lastMessageBytes)
{
    private readonly LastMessageStore<PublishedMessage> _last = new(lastMessageBytes, message => message.Topic.Length + message.Payload.Length + 64);
    private readonly List<PublishedMessage> _matches = [];

    public RetainedMessageStore<PublishedMessage> Retained { get; } = new();

    public void Keep(PublishedMessage message)
    {
        _last.Set(message.Topic, message);
        if (!message.Retain)
        {
            return;
        }

        if (message.Payload.Length == 0)
        {
            Retained.Remove(message.Topic);
        }
        else
        {
            Retained.Set(message.Topic, message);
        }
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
