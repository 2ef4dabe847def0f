using Broker.Grains.Topics;

namespace Broker.Grains.Tests.Topics;

public sealed class MatchingRulesTests
{
    [Theory]
    [MemberData(nameof(MatchingTable.Cases), MemberType = typeof(MatchingTable))]
    public void FilterMatchesTopicByTheMqttRules(string filter, string topic, bool expected) =>
        Assert.Equal(expected, TopicMatcher.Matches(filter, topic));

    [Theory]
    [MemberData(nameof(MatchingTable.Cases), MemberType = typeof(MatchingTable))]
    public void SubscriptionTrieMatchesTopicByTheMqttRules(string filter, string topic, bool expected)
    {
        var trie = new SubscriptionTrie<string>();
        trie.Add(filter, "subscriber", 1);
        var result = new Dictionary<string, byte>();

        trie.Match(topic, result);

        var expectedResult = expected ? new Dictionary<string, byte> { ["subscriber"] = 1 } : [];
        Assert.Equal(expectedResult, result);
    }

    [Theory]
    [MemberData(nameof(MatchingTable.Cases), MemberType = typeof(MatchingTable))]
    public void RetainedMessageStoreMatchesTopicByTheMqttRules(string filter, string topic, bool expected)
    {
        var store = new RetainedMessageStore<string>();
        store.Set(topic, "message");
        var result = new List<string>();

        store.Match(filter, result);

        string[] expectedResult = expected ? ["message"] : [];
        Assert.Equal(expectedResult, result);
    }
}
