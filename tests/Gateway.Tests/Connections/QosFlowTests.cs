using System.Text;
using Broker.Gateway.Routing;
using Broker.Grains;
using Broker.Protocol;

namespace Broker.Gateway.Tests.Connections;

/// <summary>QoS 0, 1 and 2 in both directions, as the connection engine runs them over its pipes.</summary>
public sealed class QosFlowTests
{
    [Fact]
    public async Task QoS1PublishIsAcknowledgedOnlyOnceTheInstanceAcceptedIt()
    {
        await using var harness = new ConnectionHarness();
        var session = await harness.ConnectAsync();

        await harness.SendAsync(Publish("a/b", "one", QualityOfService.AtLeastOnce, packetId: 7));
        var (message, packetId) = await session.Published.Reader.ReadAsync();
        await harness.SendAsync(PingReqPacket.Instance);
        Assert.Equal(PingRespPacket.Instance, await harness.ReceiveAsync());

        session.Accept(message, packetId);

        Assert.Equal(new PubAckPacket(7), await harness.ReceiveAsync());
        Assert.Equal(("a/b", "one", (byte)1), (message.Topic, Encoding.UTF8.GetString(message.Payload), message.Qos));
    }

    [Fact]
    public async Task QoS2PublishGoesToTheInstanceWhenItArrivesAndItsResentCopyIsNotForwardedAgain()
    {
        await using var harness = new ConnectionHarness();
        var session = await harness.ConnectAsync();

        await harness.SendAsync(Publish("a", "exactly once", QualityOfService.ExactlyOnce, packetId: 3));
        var (message, packetId) = await session.Published.Reader.ReadAsync();
        session.Accept(message, packetId);
        Assert.Equal(new PubRecPacket(3), await harness.ReceiveAsync());

        await harness.SendAsync(Publish("a", "exactly once", QualityOfService.ExactlyOnce, packetId: 3) with { Duplicate = true });
        Assert.Equal(new PubRecPacket(3), await harness.ReceiveAsync());
        await harness.SendAsync(new PubRelPacket(3));
        Assert.Equal(new PubCompPacket(3), await harness.ReceiveAsync());

        Assert.False(session.Published.Reader.TryRead(out _));
    }

    [Fact]
    public async Task QoS2PacketIdIsFreeAgainAfterPubRel()
    {
        await using var harness = new ConnectionHarness();
        var session = await harness.ConnectAsync();

        foreach (var payload in new[] { "first", "second" })
        {
            await harness.SendAsync(Publish("a", payload, QualityOfService.ExactlyOnce, packetId: 9));
            var (message, packetId) = await session.Published.Reader.ReadAsync();
            Assert.Equal(payload, Encoding.UTF8.GetString(message.Payload));
            session.Accept(message, packetId);
            Assert.Equal(new PubRecPacket(9), await harness.ReceiveAsync());
            await harness.SendAsync(new PubRelPacket(9));
            Assert.Equal(new PubCompPacket(9), await harness.ReceiveAsync());
        }
    }

    [Fact]
    public async Task ReadOnlyClientsPublishIsAcknowledgedAndReportedButNotForwarded()
    {
        await using var harness = new ConnectionHarness();
        harness.Directory.ReadOnly = true;
        var session = await harness.ConnectAsync();

        await harness.SendAsync(Publish("a", "x", QualityOfService.AtLeastOnce, packetId: 1));

        Assert.Equal(new PubAckPacket(1), await harness.ReceiveAsync());
        Assert.Equal((ErrorCodes.ReadOnly, "a"), await session.Reports.Reader.ReadAsync());
        Assert.False(session.Published.Reader.TryRead(out _));
    }

    [Fact]
    public async Task DeliveredQoS1MessageGoesOutWithAPacketIdAndFreesItsWindowSlotOnPubAck()
    {
        await using var harness = new ConnectionHarness(options => options.MaxInflightMessages = 1);
        var session = await harness.ConnectAsync();
        var sink = (IConnectionSink)harness.Connection;

        sink.Deliver(Message("t", "one", qos: 1), qos: 1, retain: false, rootSlash: false);
        sink.Deliver(Message("t", "two", qos: 1), qos: 1, retain: false, rootSlash: true);
        sink.Flush();
        var first = await harness.ReceiveAsync<PublishPacket>();
        Assert.Equal(("t", "one", QualityOfService.AtLeastOnce, (ushort)1), (first.Topic, Encoding.UTF8.GetString(first.Payload.Span), first.Qos, first.PacketId));
        await harness.SendAsync(PingReqPacket.Instance);
        Assert.Equal(PingRespPacket.Instance, await harness.ReceiveAsync());

        await harness.SendAsync(new PubAckPacket(1));

        var second = await harness.ReceiveAsync<PublishPacket>();
        Assert.Equal(("/t", "two", (ushort)2), (second.Topic, Encoding.UTF8.GetString(second.Payload.Span), second.PacketId));
        Assert.False(session.Left.IsCompleted);
    }

    [Fact]
    public async Task DeliveredQoS2MessageRunsPublishPubRecPubRelPubComp()
    {
        await using var harness = new ConnectionHarness(options => options.MaxInflightMessages = 1);
        await harness.ConnectAsync();
        var sink = (IConnectionSink)harness.Connection;

        sink.Deliver(Message("t", "one", qos: 2), qos: 2, retain: false, rootSlash: false);
        sink.Deliver(Message("t", "two", qos: 2), qos: 2, retain: false, rootSlash: false);
        sink.Flush();
        var first = await harness.ReceiveAsync<PublishPacket>();
        await harness.SendAsync(new PubRecPacket(first.PacketId));
        Assert.Equal(new PubRelPacket(first.PacketId), await harness.ReceiveAsync());
        await harness.SendAsync(new PubCompPacket(first.PacketId));

        var second = await harness.ReceiveAsync<PublishPacket>();
        Assert.Equal(("two", QualityOfService.ExactlyOnce), (Encoding.UTF8.GetString(second.Payload.Span), second.Qos));
    }

    [Fact]
    public async Task QoS0MessageDoesNotOvertakeQoS1MessagesWaitingForTheWindow()
    {
        await using var harness = new ConnectionHarness(options => options.MaxInflightMessages = 1);
        await harness.ConnectAsync();
        var sink = (IConnectionSink)harness.Connection;

        sink.Deliver(Message("t", "1", qos: 1), qos: 1, retain: false, rootSlash: false);
        sink.Deliver(Message("t", "2", qos: 1), qos: 1, retain: false, rootSlash: false);
        sink.Deliver(Message("t", "3", qos: 0), qos: 0, retain: false, rootSlash: false);
        sink.Deliver(Message("t", "4", qos: 1), qos: 1, retain: false, rootSlash: false);
        sink.Flush();

        var received = new List<string>();
        while (received.Count < 4)
        {
            var publish = await harness.ReceiveAsync<PublishPacket>();
            received.Add(Encoding.UTF8.GetString(publish.Payload.Span));
            if (publish.Qos == QualityOfService.AtLeastOnce)
            {
                await harness.SendAsync(new PubAckPacket(publish.PacketId));
            }
        }

        Assert.Equal(["1", "2", "3", "4"], received);
    }

    [Fact]
    public async Task SlowConsumerWhoseQueueOverflowsIsClosed()
    {
        await using var harness = new ConnectionHarness(options => (options.MaxInflightMessages, options.MaxQueuedMessages) = (1, 2));
        var session = await harness.ConnectAsync();
        var sink = (IConnectionSink)harness.Connection;

        for (var i = 0; i < 4; i++)
        {
            sink.Deliver(Message("t", $"{i}", qos: 1), qos: 1, retain: false, rootSlash: false);
        }

        Assert.False(await session.Left);
        await harness.Run.WaitAsync(ConnectionHarness.Timeout);
        Assert.Contains(harness.Log.Entries, entry => entry.Message.Contains("closed: slow consumer", StringComparison.Ordinal));
    }

    private static PublishPacket Publish(string topic, string payload, QualityOfService qos, ushort packetId) =>
        new(topic, Encoding.UTF8.GetBytes(payload), qos, Retain: false, Duplicate: false, packetId);

    private static PublishedMessage Message(string topic, string payload, byte qos) => new(topic, Encoding.UTF8.GetBytes(payload), qos, Retain: false);
}
