using System.Diagnostics.CodeAnalysis;

namespace Broker.Grains.Topics;

/// <summary>
/// The literal children of a trie node by level name, looked up by span so that walking a topic allocates
/// nothing. Nodes create one only when they get their first literal child, since most nodes are leaves.
/// </summary>
internal sealed class TopicLevelChildren<TNode>
    where TNode : class
{
    private readonly Dictionary<string, TNode> _byLevel = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TNode>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public TopicLevelChildren() => _bySpan = _byLevel.GetAlternateLookup<ReadOnlySpan<char>>();

    public int Count => _byLevel.Count;

    public Dictionary<string, TNode>.ValueCollection Nodes => _byLevel.Values;

    public bool TryGet(ReadOnlySpan<char> level, [NotNullWhen(true)] out TNode? node) => _bySpan.TryGetValue(level, out node);

    public void Add(string level, TNode node) => _byLevel.Add(level, node);

    public bool Remove(string level) => _byLevel.Remove(level);
}
