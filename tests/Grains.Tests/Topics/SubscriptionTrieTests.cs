using Broker.Grains.Topics;

namespace Broker.Grains.Tests.Topics;

public sealed class SubscriptionTrieTests
{
    private readonly SubscriptionTrie<string> _trie = new();

    private Dictionary<string, byte> Match(string topic)
    {
        var result = new Dictionary<string, byte>();
        _trie.Match(topic, result);
        return result;
    }

    [Fact]
    public void OverlappingFiltersOfOneSubscriberYieldOneEntryAtTheHighestQos()
    {
        _trie.Add("a/b", "s", 0);
        _trie.Add("a/+", "s", 2);
        _trie.Add("#", "s", 1);

        Assert.Equal(new Dictionary<string, byte> { ["s"] = 2 }, Match("a/b"));
    }

    [Fact]
    public void TwoSubscribersWithMatchingFiltersAreBothReturnedWithTheirOwnQos()
    {
        _trie.Add("a/b", "s1", 1);
        _trie.Add("a/#", "s2", 2);

        Assert.Equal(new Dictionary<string, byte> { ["s1"] = 1, ["s2"] = 2 }, Match("a/b"));
    }

    [Fact]
    public void SubscribersWithoutAMatchingFilterAreNotReturned()
    {
        _trie.Add("a/b", "s1", 1);
        _trie.Add("a/c", "s2", 1);
        _trie.Add("b/#", "s3", 1);

        Assert.Equal(new Dictionary<string, byte> { ["s1"] = 1 }, Match("a/b"));
        Assert.Empty(Match("c"));
    }

    [Fact]
    public void AddingTheSameFilterTwiceReplacesTheQosAndReturnsFalse()
    {
        Assert.True(_trie.Add("a/+", "s", 2));
        Assert.False(_trie.Add("a/+", "s", 0));

        Assert.Equal(1, _trie.Count);
        Assert.Equal(new Dictionary<string, byte> { ["s"] = 0 }, Match("a/b"));
    }

    [Fact]
    public void RemoveReturnsFalseForAnUnknownEntry()
    {
        _trie.Add("a/b", "s", 1);

        Assert.False(_trie.Remove("a/c", "s"));
        Assert.False(_trie.Remove("a/b", "other"));
        Assert.False(_trie.Remove("a", "s"));
        Assert.False(_trie.Remove("a/b/c", "s"));
        Assert.False(_trie.Remove("a/+", "s"));
        Assert.Equal(1, _trie.Count);
        Assert.Equal(new Dictionary<string, byte> { ["s"] = 1 }, Match("a/b"));
    }

    [Fact]
    public void RemovedEntryNoLongerMatchesAndCannotBeRemovedAgain()
    {
        _trie.Add("a/#", "s", 1);
        _trie.Add("a/#", "t", 1);

        Assert.True(_trie.Remove("a/#", "s"));
        Assert.False(_trie.Remove("a/#", "s"));

        Assert.Equal(new Dictionary<string, byte> { ["t"] = 1 }, Match("a/b"));
    }

    [Fact]
    public void CountTracksEntries()
    {
        Assert.Equal(0, _trie.Count);
        _trie.Add("a", "s", 0);
        _trie.Add("a", "t", 0);
        _trie.Add("+", "s", 0);
        _trie.Add("a", "s", 1);
        Assert.Equal(3, _trie.Count);

        _trie.Remove("a", "s");
        _trie.Remove("a", "s");
        Assert.Equal(2, _trie.Count);
    }

    [Fact]
    public void RemovingEverythingLeavesTheRootWithoutChildren()
    {
        string[] filters = ["a/b/c", "a/+/c", "a/#", "#", "+", "/a", "a//b", "$SYS/#", "a/b"];
        foreach (var filter in filters)
        {
            _trie.Add(filter, "s", 1);
            _trie.Add(filter, "t", 2);
        }

        foreach (var filter in filters)
        {
            Assert.True(_trie.Remove(filter, "s"));
            Assert.True(_trie.Remove(filter, "t"));
        }

        Assert.Equal(0, _trie.Count);
        Assert.True(_trie.IsEmpty);
        Assert.Equal(0, _trie.NodeCount);
    }

    [Fact]
    public void RemovingOneFilterPrunesOnlyTheLevelsNoOtherFilterUses()
    {
        _trie.Add("a/x", "s", 1);
        _trie.Add("a/b/c/d", "s", 1);
        Assert.Equal(5, _trie.NodeCount);

        _trie.Remove("a/b/c/d", "s");

        Assert.Equal(2, _trie.NodeCount);
        Assert.Equal(new Dictionary<string, byte> { ["s"] = 1 }, Match("a/x"));
    }

    [Fact]
    public void MatchOnlyAddsOrRaisesEntriesAlreadyInTheResult()
    {
        _trie.Add("a", "high", 1);
        _trie.Add("a", "low", 2);
        var result = new Dictionary<string, byte> { ["high"] = 2, ["low"] = 0, ["unrelated"] = 1 };

        _trie.Match("a", result);

        Assert.Equal(new Dictionary<string, byte> { ["high"] = 2, ["low"] = 2, ["unrelated"] = 1 }, result);
    }

    [Fact]
    public void SubscribersAreComparedWithTheGivenComparer()
    {
        var trie = new SubscriptionTrie<string>(StringComparer.OrdinalIgnoreCase);

        Assert.True(trie.Add("a", "Client", 0));
        Assert.False(trie.Add("a", "CLIENT", 1));
        Assert.True(trie.Remove("a", "client"));
        Assert.Equal(0, trie.Count);
    }
}
