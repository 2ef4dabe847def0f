using Broker.Grains.Topics;

namespace Broker.Grains.Tests.Topics;

public sealed class RetainedMessageStoreTests
{
    private readonly RetainedMessageStore<string> _store = new();

    private string[] Match(string filter)
    {
        var result = new List<string>();
        _store.Match(filter, result);
        return [.. result.Order(StringComparer.Ordinal)];
    }

    private void SetEach(params string[] topics)
    {
        foreach (var topic in topics)
        {
            _store.Set(topic, topic);
        }
    }

    [Fact]
    public void CollectFindsEveryTopicIncludingDollarTopicsUpToItsMaximum()
    {
        SetEach("a", "a/b", "$sys/x", "/lead", "c/d/e");

        var all = new List<string>();
        _store.Collect(all, max: 10);
        var some = new List<string>();
        _store.Collect(some, max: 2);

        Assert.Equal(["$sys/x", "/lead", "a", "a/b", "c/d/e"], all.Order(StringComparer.Ordinal));
        Assert.Equal(2, some.Count);
        Assert.Subset(all.ToHashSet(), some.ToHashSet());
    }

    [Fact]
    public void SetMessageIsReturnedByGet()
    {
        _store.Set("a/b", "m1");

        Assert.Equal("m1", _store.Get("a/b"));
        Assert.Equal(1, _store.Count);
    }

    [Fact]
    public void RetainedMessageIsReplacedBySecondSet()
    {
        _store.Set("a/b", "m1");
        _store.Set("a/b", "m2");

        Assert.Equal("m2", _store.Get("a/b"));
        Assert.Equal(1, _store.Count);
        Assert.Equal(["m2"], Match("a/#"));
    }

    [Fact]
    public void RemovedMessageIsGone()
    {
        _store.Set("a/b", "m1");

        Assert.True(_store.Remove("a/b"));

        Assert.Null(_store.Get("a/b"));
        Assert.Equal(0, _store.Count);
        Assert.Empty(Match("#"));
        Assert.False(_store.Remove("a/b"));
    }

    [Fact]
    public void RemoveAndGetIgnoreUnknownTopicsAndIntermediateLevels()
    {
        _store.Set("a/b", "m1");

        Assert.Null(_store.Get("a"));
        Assert.Null(_store.Get("a/b/c"));
        Assert.Null(_store.Get("x"));
        Assert.False(_store.Remove("a"));
        Assert.False(_store.Remove("a/b/c"));
        Assert.Equal(1, _store.Count);
        Assert.Equal("m1", _store.Get("a/b"));
    }

    [Fact]
    public void HashFindsEveryTopicExceptDollarTopics()
    {
        SetEach("a", "a/b", "b/c/d", "/x", "$SYS/uptime", "$other");

        Assert.Equal(["/x", "a", "a/b", "b/c/d"], Match("#"));
    }

    [Fact]
    public void PlusThenLevelFindsOnlyTwoLevelTopicsEndingInThatLevel()
    {
        SetEach("a/b", "c/b", "a/c", "a/b/c", "b", "/b", "$SYS/b");

        Assert.Equal(["/b", "a/b", "c/b"], Match("+/b"));
    }

    [Fact]
    public void LevelThenHashIncludesTheParentLevelItself()
    {
        SetEach("a", "a/b", "a/b/c", "ab", "b/a");

        Assert.Equal(["a", "a/b", "a/b/c"], Match("a/#"));
    }

    [Fact]
    public void DollarTopicsAreFoundOnlyByFiltersNamingTheirFirstLevel()
    {
        SetEach("$SYS/uptime", "$SYS/clients/count", "a/$x");

        Assert.Empty(Match("+/uptime"));
        Assert.Equal(["a/$x"], Match("+/+"));
        Assert.Equal(["$SYS/clients/count", "$SYS/uptime"], Match("$SYS/#"));
        Assert.Equal(["$SYS/uptime"], Match("$SYS/+"));
        Assert.Equal(["a/$x"], Match("a/+"));
    }

    [Fact]
    public void EmptyLevelsAreRealLevels()
    {
        SetEach("/a", "a//b", "a/", "a");

        Assert.Equal(["/a"], Match("+/a"));
        Assert.Equal(["a//b"], Match("a/+/b"));
        Assert.Equal(["a/"], Match("a/+"));
        Assert.Equal(["a"], Match("a"));
    }

    [Fact]
    public void MatchAppendsWithoutClearingTheResult()
    {
        SetEach("a");
        var result = new List<string> { "earlier" };

        _store.Match("a", result);

        Assert.Equal(["earlier", "a"], result);
    }

    [Fact]
    public void RemovingEverythingLeavesTheRootWithoutChildren()
    {
        string[] topics = ["a", "a/b/c", "a/b", "/x", "a//b", "$SYS/x"];
        SetEach(topics);
        Assert.Equal(6, _store.Count);

        foreach (var topic in topics)
        {
            Assert.True(_store.Remove(topic));
        }

        Assert.Equal(0, _store.Count);
        Assert.True(_store.IsEmpty);
        Assert.Equal(0, _store.NodeCount);
    }

    [Fact]
    public void RemovingOneTopicPrunesOnlyTheLevelsNoOtherTopicUses()
    {
        SetEach("a/x", "a/b/c/d");
        Assert.Equal(5, _store.NodeCount);

        _store.Remove("a/b/c/d");

        Assert.Equal(2, _store.NodeCount);
        Assert.Equal(["a/x"], Match("#"));
    }
}
