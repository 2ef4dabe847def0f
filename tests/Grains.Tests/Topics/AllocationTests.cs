using Broker.Grains.Topics;

namespace Broker.Grains.Tests.Topics;

/// <summary>Matching runs on every publish and every subscribe, so once warm it must not allocate.</summary>
public sealed class AllocationTests
{
    [Fact]
    public void MatchingAWarmSubscriptionTrieAllocatesNothing()
    {
        var trie = new SubscriptionTrie<string>();
        trie.Add("sensors/+/temperature", "s1", 1);
        trie.Add("sensors/#", "s2", 0);
        trie.Add("#", "s3", 2);
        trie.Add("sensors/kitchen/temperature", "s4", 1);
        var result = new Dictionary<string, byte>();
        const string Topic = "sensors/kitchen/temperature";
        trie.Match(Topic, result);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            result.Clear();
            trie.Match(Topic, result);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(4, result.Count);
    }

    [Fact]
    public void MatchingAWarmRetainedMessageStoreAllocatesNothing()
    {
        var store = new RetainedMessageStore<string>();
        store.Set("sensors/kitchen/temperature", "m1");
        store.Set("sensors/hall/temperature", "m2");
        store.Set("sensors", "m3");
        var result = new List<string>(capacity: 8);
        store.Match("sensors/#", result);
        store.Match("sensors/+/temperature", result);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            result.Clear();
            store.Match("sensors/#", result);
            store.Match("sensors/+/temperature", result);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(5, result.Count);
    }
}
