using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Broker.Grains.Topics;

/// <summary>
/// The subscriptions of many subscribers, as a trie of topic-filter levels, answering "who receives a message
/// published to this topic, and at which qos" without scanning every filter.
/// </summary>
/// <remarks>
/// <para>
/// Levels are split on '/'; empty levels are real levels ("/a" starts with an empty level). '+' matches exactly
/// one level; a trailing '#' matches its parent level and any number of levels below, so "a/#" matches "a" and
/// "a/b/c". Topics starting with '$' are not matched by a wildcard in the first level [MQTT-4.7.2-1].
/// </para>
/// <para>
/// A subscriber with several matching filters is reported once at the highest of their qos, so overlapping
/// subscriptions deliver a single copy. Matching walks only the branches the topic can reach and allocates
/// nothing per level; nodes left empty by <see cref="Remove"/> are pruned, so memory follows the live
/// subscriptions rather than their history.
/// </para>
/// <para>
/// Filters are trusted to be valid (validated at the protocol edge). Not thread-safe: it is meant to be owned
/// by a single-threaded grain.
/// </para>
/// </remarks>
public sealed class SubscriptionTrie<TSubscriber> where TSubscriber : notnull
{
    private readonly IEqualityComparer<TSubscriber>? _comparer;
    private readonly Node _root = new(parent: null, level: string.Empty);

    // Reused by Match so a lookup does not allocate its work list.
    private readonly Stack<(Node Node, int Position)> _pending = new();

    public SubscriptionTrie(IEqualityComparer<TSubscriber>? comparer = null) => _comparer = comparer;

    /// <summary>The number of (filter, subscriber) entries.</summary>
    public int Count { get; private set; }

    /// <summary>True when the root has no children and no subscribers: nothing is left over after removals.</summary>
    internal bool IsEmpty => _root.IsEmpty;

    /// <summary>The number of nodes below the root; for tests that check pruning.</summary>
    internal int NodeCount
    {
        get
        {
            var count = 0;
            var pending = new Stack<Node>();
            pending.Push(_root);
            while (pending.TryPop(out var node))
            {
                foreach (var child in node.AllChildren())
                {
                    count++;
                    pending.Push(child);
                }
            }

            return count;
        }
    }

    /// <summary>
    /// Subscribes <paramref name="subscriber"/> to <paramref name="filter"/> at <paramref name="qos"/>, replacing
    /// the qos when that subscriber already has that filter.
    /// </summary>
    /// <returns>True when the entry is new; false when it replaced an existing one.</returns>
    public bool Add(string filter, TSubscriber subscriber, byte qos)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(subscriber);

        var node = _root;
        var position = 0;
        while (!TopicLevels.IsEnd(filter, position))
        {
            node = node.GetOrAddChild(TopicLevels.Read(filter, position, out position));
        }

        node.Subscribers ??= new Dictionary<TSubscriber, byte>(_comparer);
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(node.Subscribers, subscriber, out var existed);
        slot = qos;
        if (!existed)
        {
            Count++;
        }

        return !existed;
    }

    /// <summary>Unsubscribes <paramref name="subscriber"/> from exactly <paramref name="filter"/>.</summary>
    /// <returns>True when the entry existed.</returns>
    public bool Remove(string filter, TSubscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(subscriber);

        var node = _root;
        var position = 0;
        while (!TopicLevels.IsEnd(filter, position))
        {
            node = node.GetChild(TopicLevels.Read(filter, position, out position));
            if (node is null)
            {
                return false;
            }
        }

        if (node.Subscribers is null || !node.Subscribers.Remove(subscriber))
        {
            return false;
        }

        Count--;
        if (node.Subscribers.Count == 0)
        {
            node.Subscribers = null;
        }

        // Walk up while the nodes hold nothing, so churn does not leave dead branches behind.
        while (node.Parent is { } parent && node.IsEmpty)
        {
            parent.RemoveChild(node);
            node = parent;
        }

        return true;
    }

    /// <summary>
    /// Adds every subscriber with at least one filter matching <paramref name="topic"/> to
    /// <paramref name="result"/>, at the highest qos among its matching filters. Entries already in
    /// <paramref name="result"/> are only raised, never lowered or removed; the caller clears it.
    /// </summary>
    public void Match(string topic, Dictionary<TSubscriber, byte> result)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(result);

        _pending.Clear();
        _pending.Push((_root, 0));
        while (_pending.TryPop(out var entry))
        {
            var (node, position) = entry;
            if (TopicLevels.IsEnd(topic, position))
            {
                AddSubscribers(node.Subscribers, result);

                // "a/#" also matches "a" itself.
                AddSubscribers(node.MultiLevel?.Subscribers, result);
                continue;
            }

            var level = TopicLevels.Read(topic, position, out var next);
            if (position != 0 || !TopicLevels.IsHiddenFromFirstLevelWildcards(level))
            {
                AddSubscribers(node.MultiLevel?.Subscribers, result);
                if (node.SingleLevel is { } singleLevel)
                {
                    _pending.Push((singleLevel, next));
                }
            }

            if (node.TryGetLiteralChild(level, out var child))
            {
                _pending.Push((child, next));
            }
        }
    }

    private static void AddSubscribers(Dictionary<TSubscriber, byte>? subscribers, Dictionary<TSubscriber, byte> result)
    {
        if (subscribers is null)
        {
            return;
        }

        foreach (var (subscriber, qos) in subscribers)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(result, subscriber, out var existed);
            if (!existed || qos > slot)
            {
                slot = qos;
            }
        }
    }

    /// <summary>One filter level. '+' and '#' children live in their own fields so matching never looks them up.</summary>
    private sealed class Node(Node? parent, string level)
    {
        private TopicLevelChildren<Node>? _children;

        public Node? Parent { get; } = parent;

        /// <summary>The level this node stands for under its parent; the dictionary key of a literal child.</summary>
        public string Level { get; } = level;

        /// <summary>The '+' child.</summary>
        public Node? SingleLevel { get; private set; }

        /// <summary>The '#' child.</summary>
        public Node? MultiLevel { get; private set; }

        /// <summary>The subscribers whose filter ends at this node, with their qos; null when there are none.</summary>
        public Dictionary<TSubscriber, byte>? Subscribers { get; set; }

        public bool IsEmpty => _children is null && SingleLevel is null && MultiLevel is null && Subscribers is null;

        public bool TryGetLiteralChild(ReadOnlySpan<char> level, [NotNullWhen(true)] out Node? child)
        {
            child = null;
            return _children is not null && _children.TryGet(level, out child);
        }

        /// <summary>The child for a filter level, reading '+' and '#' as wildcards.</summary>
        public Node? GetChild(ReadOnlySpan<char> level) => level switch
        {
            "+" => SingleLevel,
            "#" => MultiLevel,
            _ => TryGetLiteralChild(level, out var child) ? child : null,
        };

        public Node GetOrAddChild(ReadOnlySpan<char> level)
        {
            switch (level)
            {
                case "+":
                    return SingleLevel ??= new Node(this, "+");
                case "#":
                    return MultiLevel ??= new Node(this, "#");
            }

            if (TryGetLiteralChild(level, out var existing))
            {
                return existing;
            }

            var child = new Node(this, level.ToString());
            (_children ??= new()).Add(child.Level, child);
            return child;
        }

        public void RemoveChild(Node child)
        {
            if (ReferenceEquals(child, SingleLevel))
            {
                SingleLevel = null;
            }
            else if (ReferenceEquals(child, MultiLevel))
            {
                MultiLevel = null;
            }
            else if (_children is not null && _children.Remove(child.Level) && _children.Count == 0)
            {
                _children = null;
            }
        }

        public IEnumerable<Node> AllChildren()
        {
            if (SingleLevel is not null)
            {
                yield return SingleLevel;
            }

            if (MultiLevel is not null)
            {
                yield return MultiLevel;
            }

            if (_children is not null)
            {
                foreach (var child in _children.Nodes)
                {
                    yield return child;
                }
            }
        }
    }
}
