namespace Broker.Grains.Topics;

/// <summary>
/// The last message published to each topic, for reading over HTTP, within a memory budget: when the stored
/// messages exceed it, the topics published longest ago are forgotten first. A lookup by filter returns the most
/// recent message among the matching topics. Not thread-safe (single-threaded grain use).
/// </summary>
internal sealed class LastMessageStore<TMessage>(long budgetBytes, Func<TMessage, long> sizeOf)
    where TMessage : class
{
    private readonly RetainedMessageStore<Entry> _byTopic = new();
    private readonly LinkedList<Entry> _oldestFirst = new();
    private readonly List<Entry> _matches = [];
    private long _bytes;
    private long _sequence;

    public int Count => _byTopic.Count;

    public long Bytes => _bytes;

    public void Set(string topic, TMessage message)
    {
        // A topic published again keeps its entry and list node: the common case allocates nothing.
        if (_byTopic.Get(topic) is { } entry)
        {
            _bytes -= entry.Bytes;
            _oldestFirst.Remove(entry.Node);
            _oldestFirst.AddLast(entry.Node);
        }
        else
        {
            entry = new Entry(topic);
            _oldestFirst.AddLast(entry.Node);
            _byTopic.Set(topic, entry);
        }

        entry.Message = message;
        entry.Bytes = sizeOf(message);
        entry.Sequence = ++_sequence;
        _bytes += entry.Bytes;
        while (_bytes > budgetBytes && _oldestFirst.First is { } oldest)
        {
            Forget(oldest.Value);
        }
    }

    /// <summary>The most recently set message among the topics matching <paramref name="filter"/>.</summary>
    public TMessage? Latest(string filter)
    {
        _matches.Clear();
        _byTopic.Match(filter, _matches);
        Entry? latest = null;
        foreach (var entry in _matches)
        {
            if (latest is null || entry.Sequence > latest.Sequence)
            {
                latest = entry;
            }
        }

        _matches.Clear();
        return latest?.Message;
    }

    private void Forget(Entry entry)
    {
        _byTopic.Remove(entry.Topic);
        _oldestFirst.Remove(entry.Node);
        _bytes -= entry.Bytes;
    }

    private sealed class Entry
    {
        public Entry(string topic)
        {
            Topic = topic;
            Node = new LinkedListNode<Entry>(this);
        }

        public string Topic { get; }

        public LinkedListNode<Entry> Node { get; }

        public TMessage? Message { get; set; }

        public long Bytes { get; set; }

        public long Sequence { get; set; }
    }
}
