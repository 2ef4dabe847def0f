using System.Diagnostics.CodeAnalysis;

namespace Broker.Grains.Topics;

/// <summary>
/// Retained messages keyed by topic name, as a trie of topic levels, so that a new subscription's filter finds
/// its retained messages by walking only the branches it can match instead of scanning or copying the whole set.
/// </summary>
/// <remarks>
/// <para>
/// Matching follows the MQTT rules: levels split on '/', empty levels are real levels, '+' matches exactly one
/// level, a trailing '#' matches its parent level and everything below ("a/#" finds "a"), and a wildcard in the
/// first level of the filter does not find topics starting with '$' [MQTT-4.7.2-1].
/// </para>
/// <para>
/// Lookups allocate nothing per level; nodes left empty by <see cref="Remove"/> are pruned. Topics and filters
/// are trusted to be valid (validated at the protocol edge). Not thread-safe: it is meant to be owned by a
/// single-threaded grain.
/// </para>
/// </remarks>
public sealed class RetainedMessageStore<TMessage> where TMessage : class
{
    private readonly Node _root = new(parent: null, level: string.Empty);

    // Reused by Match so a lookup does not allocate its work lists.
    private readonly Stack<(Node Node, int Position)> _pending = new();
    private readonly Stack<Node> _subtree = new();

    /// <summary>The number of retained messages.</summary>
    public int Count { get; private set; }

    /// <summary>True when the root has no children: nothing is left over after removals.</summary>
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
                foreach (var child in node.Children)
                {
                    count++;
                    pending.Push(child);
                }
            }

            return count;
        }
    }

    /// <summary>Retains <paramref name="message"/> for <paramref name="topic"/>, replacing any earlier one.</summary>
    public void Set(string topic, TMessage message)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);

        var node = _root;
        var position = 0;
        while (!TopicLevels.IsEnd(topic, position))
        {
            node = node.GetOrAddChild(TopicLevels.Read(topic, position, out position));
        }

        if (node.Message is null)
        {
            Count++;
        }

        node.Message = message;
    }

    /// <summary>Drops the retained message of <paramref name="topic"/>.</summary>
    /// <returns>True when there was one.</returns>
    public bool Remove(string topic)
    {
        var node = Find(topic);
        if (node?.Message is null)
        {
            return false;
        }

        node.Message = null;
        Count--;

        // Walk up while the nodes hold nothing, so churn does not leave dead branches behind.
        while (node.Parent is { } parent && node.IsEmpty)
        {
            parent.RemoveChild(node);
            node = parent;
        }

        return true;
    }

    /// <summary>The retained message of exactly <paramref name="topic"/>, or null.</summary>
    public TMessage? Get(string topic) => Find(topic)?.Message;

    /// <summary>Appends to <paramref name="result"/> every retained message whose topic matches <paramref name="filter"/>.</summary>
    public void Match(string filter, List<TMessage> result)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(result);

        _pending.Clear();
        _pending.Push((_root, 0));
        while (_pending.TryPop(out var entry))
        {
            var (node, position) = entry;
            if (TopicLevels.IsEnd(filter, position))
            {
                if (node.Message is { } message)
                {
                    result.Add(message);
                }

                continue;
            }

            var level = TopicLevels.Read(filter, position, out var next);
            var isFirstLevel = position == 0;
            if (level is "#")
            {
                AddSubtree(node, isFirstLevel, result);
            }
            else if (level is "+")
            {
                foreach (var child in node.Children)
                {
                    if (!isFirstLevel || !TopicLevels.IsHiddenFromFirstLevelWildcards(child.Level))
                    {
                        _pending.Push((child, next));
                    }
                }
            }
            else if (node.TryGetChild(level, out var child))
            {
                _pending.Push((child, next));
            }
        }
    }

    /// <summary>Appends up to <paramref name="max"/> retained messages, of any topic, to <paramref name="result"/>.</summary>
    public void Collect(List<TMessage> result, int max)
    {
        ArgumentNullException.ThrowIfNull(result);

        _subtree.Clear();
        _subtree.Push(_root);
        while (result.Count < max && _subtree.TryPop(out var node))
        {
            if (node.Message is { } message)
            {
                result.Add(message);
            }

            foreach (var child in node.Children)
            {
                _subtree.Push(child);
            }
        }

        _subtree.Clear();
    }

    /// <summary>Adds the message of <paramref name="start"/> (the parent level '#' also matches) and of all below it.</summary>
    private void AddSubtree(Node start, bool isFirstLevel, List<TMessage> result)
    {
        if (start.Message is { } own)
        {
            result.Add(own);
        }

        _subtree.Clear();
        foreach (var child in start.Children)
        {
            if (!isFirstLevel || !TopicLevels.IsHiddenFromFirstLevelWildcards(child.Level))
            {
                _subtree.Push(child);
            }
        }

        while (_subtree.TryPop(out var node))
        {
            if (node.Message is { } message)
            {
                result.Add(message);
            }

            foreach (var child in node.Children)
            {
                _subtree.Push(child);
            }
        }
    }

    private Node? Find(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);

        var node = _root;
        var position = 0;
        while (!TopicLevels.IsEnd(topic, position))
        {
            if (!node.TryGetChild(TopicLevels.Read(topic, position, out position), out node))
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>One topic level; holds the message retained for the topic ending here, if any.</summary>
    private sealed class Node(Node? parent, string level)
    {
        private static readonly TopicLevelChildren<Node> NoChildren = new();

        private TopicLevelChildren<Node>? _children;

        public Node? Parent { get; } = parent;

        /// <summary>The level this node stands for under its parent; its key in the parent's dictionary.</summary>
        public string Level { get; } = level;

        public TMessage? Message { get; set; }

        public bool IsEmpty => _children is null && Message is null;

        public Dictionary<string, Node>.ValueCollection Children => (_children ?? NoChildren).Nodes;

        public bool TryGetChild(ReadOnlySpan<char> level, [NotNullWhen(true)] out Node? child)
        {
            child = null;
            return _children is not null && _children.TryGet(level, out child);
        }

        public Node GetOrAddChild(ReadOnlySpan<char> level)
        {
            if (TryGetChild(level, out var existing))
            {
                return existing;
            }

            var child = new Node(this, level.ToString());
            (_children ??= new()).Add(child.Level, child);
            return child;
        }

        public void RemoveChild(Node child)
        {
            if (_children is not null && _children.Remove(child.Level) && _children.Count == 0)
            {
                _children = null;
            }
        }
    }
}
