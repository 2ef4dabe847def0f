using Broker.Grains.Events;
using Broker.Grains.Instances;

namespace Broker.Grains.Tests.Instances;

public sealed class InstanceSubscriptionsTests
{
    private readonly InstanceEventSource _events = new(Guid.NewGuid(), (_, _, _) => { });
    private readonly InstanceSubscriptions _subscriptions;
    private readonly ConnectionEntry _first = new(new ConnectionAddress("gw", 1), "first", false, null, null);
    private readonly ConnectionEntry _second = new(new ConnectionAddress("gw", 2), "second", false, null, null);

    public InstanceSubscriptionsTests() => _subscriptions = new InstanceSubscriptions(_events);

    [Fact]
    public void AMatchNamesEachMatchingConnectionOnceWithItsBestGrant()
    {
        _subscriptions.Add(_first, new SubscriptionRequest("a/+", 1));
        _subscriptions.Add(_first, new SubscriptionRequest("a/#", 2, RootSlash: true));
        _subscriptions.Add(_second, new SubscriptionRequest("a/b", 0));
        _subscriptions.Add(_second, new SubscriptionRequest("c", 2));

        var matches = _subscriptions.Match("a/b");

        Assert.Equal(
            [(_first.Address, SubscriptionGrant.Encode(2, rootSlash: true)), (_second.Address, SubscriptionGrant.Encode(0, rootSlash: false))],
            matches.Select(match => (match.Key, match.Value)).OrderBy(match => match.Key.ConnectionId));
        Assert.Equal(["a/+", "a/#"], _first.Subscriptions.Keys);
    }

    [Fact]
    public void SubscribingAgainToAFilterReplacesItsGrant()
    {
        _subscriptions.Add(_first, new SubscriptionRequest("a", 2));
        _subscriptions.Add(_first, new SubscriptionRequest("a", 0));

        Assert.Equal(SubscriptionGrant.Encode(0, rootSlash: false), Assert.Single(_subscriptions.Match("a")).Value);
    }

    [Fact]
    public void RemovingAFilterStopsItsMatchesAndSaysWhetherTheConnectionHadIt()
    {
        _subscriptions.Add(_first, new SubscriptionRequest("a", 1));

        Assert.True(_subscriptions.Remove(_first, "a"));
        Assert.False(_subscriptions.Remove(_first, "a"));
        Assert.False(_subscriptions.Remove(_first, "never"));

        Assert.Empty(_subscriptions.Match("a"));
        Assert.Empty(_first.Subscriptions);
    }

    [Fact]
    public void RemovingAConnectionRemovesAllItsFiltersAndNoOneElses()
    {
        _subscriptions.Add(_first, new SubscriptionRequest("a", 1));
        _subscriptions.Add(_first, new SubscriptionRequest("b/#", 1));
        _subscriptions.Add(_second, new SubscriptionRequest("a", 1));

        _subscriptions.RemoveAll(_first);

        Assert.Equal([_second.Address], _subscriptions.Match("a").Keys);
        Assert.Empty(_subscriptions.Match("b/c"));
    }

    [Fact]
    public void InfoIsNoStandingSubscription()
    {
        _subscriptions.Add(_first, new SubscriptionRequest(SystemTopics.Info, 0));

        Assert.Empty(_first.Subscriptions);
        Assert.Empty(_subscriptions.Match(SystemTopics.Info));
    }

    [Fact]
    public void EventsMakesTheConnectionAListenerUntilItUnsubscribes()
    {
        _subscriptions.Add(_first, new SubscriptionRequest(SystemTopics.Events, 0));

        Assert.True(_events.IsListening(_first.Address));
        Assert.Empty(_subscriptions.Match(SystemTopics.Events));

        Assert.True(_subscriptions.Remove(_first, SystemTopics.Events));
        Assert.False(_events.IsListening(_first.Address));
    }

    [Fact]
    public void AConnectionThatGoesStopsListening()
    {
        _subscriptions.Add(_first, new SubscriptionRequest(SystemTopics.Events, 0));

        _subscriptions.RemoveAll(_first);

        Assert.False(_events.HasListeners);
    }
}
