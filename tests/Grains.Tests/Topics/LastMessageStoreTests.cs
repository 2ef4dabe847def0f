using Broker.Grains.Topics;

namespace Broker.Grains.Tests.Topics;

public sealed class LastMessageStoreTests
{
    private static LastMessageStore<string> Store(long budget) => new(budget, message => message.Length);

    [Fact]
    public void LatestReturnsTheMostRecentMessageAmongMatchingTopics()
    {
        var store = Store(1000);
        store.Set("a/1", "first");
        store.Set("a/2", "second");
        store.Set("b/1", "other");

        Assert.Equal("second", store.Latest("a/+"));
        Assert.Equal("other", store.Latest("#"));
        Assert.Equal("first", store.Latest("a/1"));
        Assert.Null(store.Latest("c/#"));
    }

    [Fact]
    public void SettingATopicAgainReplacesItsMessageAndMakesItTheMostRecent()
    {
        var store = Store(1000);
        store.Set("a/1", "old");
        store.Set("a/2", "middle");
        store.Set("a/1", "new");

        Assert.Equal("new", store.Latest("a/#"));
        Assert.Equal(2, store.Count);
        Assert.Equal("new".Length + "middle".Length, store.Bytes);
    }

    [Fact]
    public void OldestTopicsAreForgottenWhenTheBudgetIsExceeded()
    {
        var store = Store(10);
        store.Set("a", "1234");
        store.Set("b", "5678");
        store.Set("c", "90ab");

        Assert.Null(store.Latest("a"));
        Assert.Equal("5678", store.Latest("b"));
        Assert.Equal("90ab", store.Latest("c"));
        Assert.Equal(8, store.Bytes);
    }

    [Fact]
    public void ReplacingAMessageFreesItsOldSizeBeforeTheBudgetIsChecked()
    {
        var store = Store(10);
        store.Set("a", "12345");
        store.Set("b", "12345");
        store.Set("a", "1");

        Assert.Equal("1", store.Latest("a"));
        Assert.Equal("12345", store.Latest("b"));
        Assert.Equal(6, store.Bytes);
    }
}
