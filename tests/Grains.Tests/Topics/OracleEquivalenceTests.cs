using System.Text;
using Broker.Grains.Topics;

namespace Broker.Grains.Tests.Topics;

/// <summary>
/// Random topics and filters over a small alphabet of levels (so that matches are frequent and every edge case
/// — empty levels, '$' first levels, '+', '#' — turns up), checked against <see cref="TopicMatcher"/>.
/// </summary>
public sealed class OracleEquivalenceTests
{
    private const int Rounds = 20;
    private const int EntriesPerRound = 60;
    private const int LookupsPerPhase = 50;

    private static readonly string[] TopicLevelAlphabet = ["a", "b", "c", "", "$s"];

    private readonly Random _random = new(20240611);

    [Fact]
    public void SubscriptionTrieAgreesWithTheMatcherOnRandomFiltersAndTopics()
    {
        var lookups = 0;
        var nonEmptyLookups = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var trie = new SubscriptionTrie<int>();
            var model = new Dictionary<(string Filter, int Subscriber), byte>();
            for (var i = 0; i < EntriesPerRound; i++)
            {
                var key = (NextFilter(), _random.Next(8));
                var qos = (byte)_random.Next(3);
                Assert.Equal(!model.ContainsKey(key), trie.Add(key.Item1, key.Item2, qos));
                model[key] = qos;
            }

            Assert.Equal(model.Count, trie.Count);

            // Lookups on the full trie, then after removing about half the entries (and some unknown ones).
            for (var phase = 0; phase < 2; phase++)
            {
                for (var i = 0; i < LookupsPerPhase; i++)
                {
                    var topic = NextTopic();
                    var expected = new Dictionary<int, byte>();
                    foreach (var ((filter, subscriber), qos) in model)
                    {
                        if (TopicMatcher.Matches(filter, topic) && (!expected.TryGetValue(subscriber, out var max) || qos > max))
                        {
                            expected[subscriber] = qos;
                        }
                    }

                    var actual = new Dictionary<int, byte>();
                    trie.Match(topic, actual);

                    Assert.Equal(expected, actual);
                    lookups++;
                    nonEmptyLookups += expected.Count > 0 ? 1 : 0;
                }

                for (var i = 0; i < EntriesPerRound / 2; i++)
                {
                    var key = _random.Next(3) == 0 || model.Count == 0 ? (NextFilter(), _random.Next(8)) : model.Keys.ElementAt(_random.Next(model.Count));
                    Assert.Equal(model.Remove(key), trie.Remove(key.Item1, key.Item2));
                }

                Assert.Equal(model.Count, trie.Count);
            }

            foreach (var (filter, subscriber) in model.Keys)
            {
                Assert.True(trie.Remove(filter, subscriber));
            }

            Assert.True(trie.IsEmpty);
        }

        Assert.Equal(Rounds * LookupsPerPhase * 2, lookups);
        Assert.True(nonEmptyLookups > lookups / 4, $"only {nonEmptyLookups} of {lookups} lookups matched anything");
    }

    [Fact]
    public void RetainedMessageStoreAgreesWithTheMatcherOnRandomFiltersAndTopics()
    {
        var lookups = 0;
        var nonEmptyLookups = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var store = new RetainedMessageStore<string>();
            var model = new Dictionary<string, string>();
            for (var i = 0; i < EntriesPerRound; i++)
            {
                var topic = NextTopic();
                var message = $"{topic}@{i}";
                store.Set(topic, message);
                model[topic] = message;
            }

            Assert.Equal(model.Count, store.Count);

            for (var phase = 0; phase < 2; phase++)
            {
                for (var i = 0; i < LookupsPerPhase; i++)
                {
                    var filter = NextFilter();
                    var expected = model.Where(kv => TopicMatcher.Matches(filter, kv.Key))
                        .Select(kv => kv.Value)
                        .Order(StringComparer.Ordinal)
                        .ToList();

                    var actual = new List<string>();
                    store.Match(filter, actual);
                    actual.Sort(StringComparer.Ordinal);

                    Assert.Equal(expected, actual);
                    lookups++;
                    nonEmptyLookups += expected.Count > 0 ? 1 : 0;
                }

                for (var i = 0; i < EntriesPerRound / 2; i++)
                {
                    var topic = _random.Next(3) == 0 || model.Count == 0 ? NextTopic() : model.Keys.ElementAt(_random.Next(model.Count));
                    Assert.Equal(model.Remove(topic), store.Remove(topic));
                }

                Assert.Equal(model.Count, store.Count);
                foreach (var (topic, message) in model)
                {
                    Assert.Equal(message, store.Get(topic));
                }
            }

            foreach (var topic in model.Keys)
            {
                Assert.True(store.Remove(topic));
            }

            Assert.True(store.IsEmpty);
        }

        Assert.Equal(Rounds * LookupsPerPhase * 2, lookups);
        Assert.True(nonEmptyLookups > lookups / 4, $"only {nonEmptyLookups} of {lookups} lookups matched anything");
    }

    private string NextTopic()
    {
        var levels = _random.Next(1, 5);
        var builder = new StringBuilder();
        for (var i = 0; i < levels; i++)
        {
            if (i > 0)
            {
                builder.Append('/');
            }

            builder.Append(TopicLevelAlphabet[_random.Next(TopicLevelAlphabet.Length)]);
        }

        return builder.ToString();
    }

    private string NextFilter()
    {
        var levels = _random.Next(1, 5);
        var builder = new StringBuilder();
        for (var i = 0; i < levels; i++)
        {
            if (i > 0)
            {
                builder.Append('/');
            }

            if (i == levels - 1 && _random.Next(4) == 0)
            {
                builder.Append('#');
            }
            else if (_random.Next(3) == 0)
            {
                builder.Append('+');
            }
            else
            {
                builder.Append(TopicLevelAlphabet[_random.Next(TopicLevelAlphabet.Length)]);
            }
        }

        return builder.ToString();
    }
}
