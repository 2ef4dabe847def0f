using System.Collections.Immutable;
using Broker.Grains.Events;
using Broker.Grains.Instances;
using Broker.Grains.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Broker.Grains.Tests.Infrastructure.TestMessages;

namespace Broker.Grains.Tests.Instances;

public sealed class MessageRouterTests
{
    private readonly RecordingInbox _inbox = new();
    private readonly InstanceMessages _messages = new(lastMessageBytes: 1024 * 1024);
    private readonly GatewayLeases _gateways;
    private readonly InstanceEventSource _events;
    private readonly InstanceSubscriptions _subscriptions;
    private readonly MessageRouter _router;

    public MessageRouterTests()
    {
        var time = new FakeTimeProvider();
        _gateways = new GatewayLeases(
            "i",
            TimeSpan.FromSeconds(30),
            keepsCallOrder: true,
            time,
            id => new GatewayOutbox(id, "i", Guid.NewGuid(), _inbox, keepsCallOrder: true, time),
            new RecordingLogger());
        _events = new InstanceEventSource(Guid.NewGuid(), (message, listener, rootSlash) => _gateways.Deliver(listener, message, 0, rootSlash));
        _subscriptions = new InstanceSubscriptions(_events);
        _router = new MessageRouter(_subscriptions, _messages, _gateways, _events);
    }

    [Fact]
    public async Task AMessageGoesToEachMatchingConnectionOnceAtTheLowerOfGrantedAndPublishedQos()
    {
        var low = Connect(1, ("a/#", 0));
        var high = Connect(2, ("a/+", 2), ("a/b", 1));
        Connect(3, ("other", 2));

        Assert.Equal(2, _router.Route(Message("a/b", "x", qos: 1), publisher: null));
        await _gateways.SendAsync(confirm: true);

        var batch = Assert.Single(_inbox.Batches);
        Assert.Equal(
            [new Delivery(0, low.Address.ConnectionId, 0), new Delivery(0, high.Address.ConnectionId, 1)],
            batch.Deliveries.OrderBy(delivery => delivery.ConnectionId));
    }

    [Fact]
    public void ARoutedMessageIsKeptAsTheLastOfItsTopicAndARetainedOneAsRetained()
    {
        var retained = Message("r", "kept", retain: true);

        Assert.Equal(0, _router.Route(retained, publisher: null));

        Assert.Same(retained, _messages.Latest("r", retained: false));
        Assert.Same(retained, _messages.Latest("r", retained: true));
    }

    [Fact]
    public async Task AConnectionThatListensToEventsReceivesTheEventButNotTheMessage()
    {
        var listener = Connect(1, (SystemTopics.Events, 0), ("a", 1));

        Assert.Equal(0, _router.Route(Message("a", "x", qos: 1), publisher: null));
        await _gateways.SendAsync(confirm: true);

        var batch = Assert.Single(_inbox.Batches);
        var delivery = Assert.Single(batch.Deliveries);
        Assert.Equal((listener.Address.ConnectionId, SystemTopics.Events), (delivery.ConnectionId, batch.Messages[delivery.MessageIndex].Topic));
    }

    [Fact]
    public void AConnectionWhoseGatewayHoldsNoLeaseReceivesNothing()
    {
        var entry = new ConnectionEntry(new ConnectionAddress("unleased", 1), "c", false, null, null);
        _subscriptions.Add(entry, new SubscriptionRequest("a", 1));

        Assert.Equal(0, _router.Route(Message("a", "x"), publisher: null));
    }

    [Fact]
    public void ANewSubscriptionReceivesTheMatchingRetainedMessagesAtTheLowerQos()
    {
        _router.Route(Message("s/1", "one", qos: 2, retain: true), publisher: null);
        _router.Route(Message("s/2", "two", qos: 0, retain: true), publisher: null);
        _router.Route(Message("t", "other", qos: 2, retain: true), publisher: null);
        var deliveries = ImmutableArray.CreateBuilder<RetainedDelivery>();

        _router.AddRetained(new SubscriptionRequest("s/+", 1, RootSlash: true), deliveries);

        Assert.Equal([("one", (byte)1, true), ("two", (byte)0, true)], deliveries.Select(d => (Text(d.Message), d.Qos, d.RootSlash)).OrderBy(d => d.Item1));
    }

    private ConnectionEntry Connect(long connectionId, params (string Filter, byte Qos)[] filters)
    {
        var entry = new ConnectionEntry(new ConnectionAddress("gw", connectionId), $"c{connectionId}", false, null, null);
        _gateways.Attach(entry.Address);
        foreach (var (filter, qos) in filters)
        {
            _subscriptions.Add(entry, new SubscriptionRequest(filter, qos));
        }

        return entry;
    }
}
