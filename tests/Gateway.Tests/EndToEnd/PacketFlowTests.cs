using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>The acknowledgement flows of QoS 1 and 2 in both directions, observed packet by packet.</summary>
[Collection(BrokerCollection.Name)]
public sealed class PacketFlowTests(BrokerFixture broker)
{
    [Fact]
    public async Task OutgoingPacketIdsOfAFreshConnectionStartAtOneAndIncrease()
    {
        var topic = $"{TestNames.Topic()}/ids";
        await using var subscriber = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());
        await SubscribeAsync(subscriber, topic, QualityOfService.AtLeastOnce);
        await using var publisher = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await publisher.SendAsync(Publish(topic, "one", QualityOfService.AtLeastOnce, 100), Publish(topic, "two", QualityOfService.AtLeastOnce, 101));

        Assert.Equal(Publish(topic, "one", QualityOfService.AtLeastOnce, 1), await subscriber.ReceiveAsync<PublishPacket>());
        Assert.Equal(Publish(topic, "two", QualityOfService.AtLeastOnce, 2), await subscriber.ReceiveAsync<PublishPacket>());
    }

    [Fact]
    public async Task AtLeastOncePublishIsAnsweredWithPubAck()
    {
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await client.SendAsync(Publish($"{TestNames.Topic()}/a", "x", QualityOfService.AtLeastOnce, 4711));

        Assert.Equal(new PubAckPacket(4711), await client.ReceiveAsync<PubAckPacket>());
    }

    [Fact]
    public async Task PubRelForAnUnknownPacketIdIsAnsweredWithPubComp()
    {
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await client.SendAsync(new PubRelPacket(4242));

        Assert.Equal(new PubCompPacket(4242), await client.ReceiveAsync<PubCompPacket>());
    }

    [Fact]
    public async Task ExactlyOncePublishResentBeforePubRelIsDeliveredOnce()
    {
        var prefix = TestNames.Topic();
        await using var subscriber = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());
        await SubscribeAsync(subscriber, $"{prefix}/+", QualityOfService.AtMostOnce);
        await using var publisher = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await publisher.SendAsync(Publish($"{prefix}/once", "exactly once", QualityOfService.ExactlyOnce, 7));
        Assert.Equal(new PubRecPacket(7), await publisher.ReceiveAsync<PubRecPacket>());
        await publisher.SendAsync(Publish($"{prefix}/once", "exactly once", QualityOfService.ExactlyOnce, 7) with { Duplicate = true });
        Assert.Equal(new PubRecPacket(7), await publisher.ReceiveAsync<PubRecPacket>());
        await publisher.SendAsync(new PubRelPacket(7));
        Assert.Equal(new PubCompPacket(7), await publisher.ReceiveAsync<PubCompPacket>());
        await publisher.SendAsync(Publish($"{prefix}/sentinel", "sentinel", QualityOfService.AtMostOnce, 0));

        Assert.Equal(Publish($"{prefix}/once", "exactly once", QualityOfService.AtMostOnce, 0), await subscriber.ReceiveAsync<PublishPacket>());
        Assert.Equal(Publish($"{prefix}/sentinel", "sentinel", QualityOfService.AtMostOnce, 0), await subscriber.ReceiveAsync<PublishPacket>());
    }

    [Fact]
    public async Task PacketIdIsReusableForANewExactlyOnceMessageAfterPubRel()
    {
        var topic = $"{TestNames.Topic()}/reuse";
        await using var subscriber = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());
        await SubscribeAsync(subscriber, topic, QualityOfService.AtMostOnce);
        await using var publisher = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        foreach (var payload in new[] { "first", "second" })
        {
            await publisher.SendAsync(Publish(topic, payload, QualityOfService.ExactlyOnce, 9));
            Assert.Equal(new PubRecPacket(9), await publisher.ReceiveAsync<PubRecPacket>());
            await publisher.SendAsync(new PubRelPacket(9));
            Assert.Equal(new PubCompPacket(9), await publisher.ReceiveAsync<PubCompPacket>());
        }

        Assert.Equal(Publish(topic, "first", QualityOfService.AtMostOnce, 0), await subscriber.ReceiveAsync<PublishPacket>());
        Assert.Equal(Publish(topic, "second", QualityOfService.AtMostOnce, 0), await subscriber.ReceiveAsync<PublishPacket>());
    }

    [Fact]
    public async Task ExactlyOnceDeliveryToAClientRunsPublishPubRecPubRelPubComp()
    {
        var topic = $"{TestNames.Topic()}/qos2";
        await using var subscriber = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());
        await SubscribeAsync(subscriber, topic, QualityOfService.ExactlyOnce);
        await using var publisher = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await publisher.SendAsync(Publish(topic, "two", QualityOfService.ExactlyOnce, 1));

        Assert.Equal(Publish(topic, "two", QualityOfService.ExactlyOnce, 1), await subscriber.ReceiveAsync<PublishPacket>());
        await subscriber.SendAsync(new PubRecPacket(1));
        Assert.Equal(new PubRelPacket(1), await subscriber.ReceiveAsync<PubRelPacket>());
        await subscriber.SendAsync(new PubCompPacket(1));
        await subscriber.PingAsync();
    }

    [Fact]
    public async Task AtLeastOnceDeliveryStopsAtTheInflightWindowUntilAcknowledged()
    {
        const int window = 64;
        const int total = window + 6;
        var prefix = TestNames.Topic();
        await using var subscriber = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());
        await SubscribeAsync(subscriber, $"{prefix}/+", QualityOfService.AtLeastOnce);
        await using var publisher = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        // A QoS 0 message needs no window but keeps its place in line: the sentinel comes after every QoS 1 message.
        await publisher.SendAsync([
            .. Enumerable.Range(0, total).Select(n => Publish($"{prefix}/m", $"{n}", QualityOfService.AtLeastOnce, (ushort)(n + 1))),
            Publish($"{prefix}/sentinel", "sentinel", QualityOfService.AtMostOnce, 0)]);

        for (var n = 0; n < window; n++)
        {
            Assert.Equal(Publish($"{prefix}/m", $"{n}", QualityOfService.AtLeastOnce, (ushort)(n + 1)), await subscriber.ReceiveAsync<PublishPacket>());
        }

        // Only the window's worth went out: what answers a PINGREQ now is its PINGRESP, not a PUBLISH.
        await subscriber.SendAsync(PingReqPacket.Instance);
        Assert.IsType<PingRespPacket>(await subscriber.ReceiveAsync());

        // Each acknowledgement releases exactly the next queued message, with the next packet id.
        await subscriber.SendAsync(new PubAckPacket(1));
        Assert.Equal(Publish($"{prefix}/m", $"{window}", QualityOfService.AtLeastOnce, window + 1), await subscriber.ReceiveAsync<PublishPacket>());
        await subscriber.SendAsync(Enumerable.Range(2, window).Select(id => (MqttPacket)new PubAckPacket((ushort)id)).ToArray());
        for (var n = window + 1; n < total; n++)
        {
            var publish = await subscriber.ReceiveAsync<PublishPacket>();
            Assert.Equal(($"{n}", QualityOfService.AtLeastOnce), (System.Text.Encoding.UTF8.GetString(publish.Payload.Span), publish.Qos));
        }

        Assert.Equal(Publish($"{prefix}/sentinel", "sentinel", QualityOfService.AtMostOnce, 0), await subscriber.ReceiveAsync<PublishPacket>());
        await subscriber.PingAsync();
    }

    [Fact]
    public async Task SubscriberThatNeverAcknowledgesIsDisconnectedWhenItsQueueOverflows()
    {
        const int window = 64;
        const int queue = 10_000;
        var topic = $"{TestNames.Topic()}/flood";
        await using var subscriber = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());
        await SubscribeAsync(subscriber, topic, QualityOfService.AtLeastOnce);
        await using var publisher = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await publisher.SendAsync(Enumerable.Range(0, window + queue + 1).Select(n => (MqttPacket)Publish(topic, $"{n}", QualityOfService.AtLeastOnce, (ushort)(n + 1))).ToArray());

        Assert.True(await subscriber.WaitClosedAsync(TimeSpan.FromSeconds(30)));
        for (var n = 0; n < window; n++)
        {
            Assert.Equal(Publish(topic, $"{n}", QualityOfService.AtLeastOnce, (ushort)(n + 1)), await subscriber.ReceiveAsync<PublishPacket>());
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => subscriber.ReceiveAsync());

        // The publisher is not hurt by its slow subscriber: every message was acknowledged.
        for (var n = 0; n < window + queue + 1; n++)
        {
            Assert.Equal(new PubAckPacket((ushort)(n + 1)), await publisher.ReceiveAsync<PubAckPacket>());
        }
    }

    [Fact]
    public async Task ConnectSubscribeAndPublishSentInOneWriteAreHandledInOrder()
    {
        var topic = $"{TestNames.Topic()}/pipelined";
        await using var client = await RawMqttClient.OpenAsync(broker);

        await client.SendAsync(
            new ConnectPacket(ConnectPacket.Mqtt311ProtocolName, ConnectPacket.Mqtt311ProtocolLevel, TestNames.ClientId(), true, 60, BrokerFixture.Instance, System.Text.Encoding.UTF8.GetBytes(BrokerFixture.Secret), null),
            new SubscribePacket(1, [new TopicSubscription(topic, QualityOfService.AtLeastOnce)]),
            Publish(topic, "to myself", QualityOfService.AtLeastOnce, 2));

        Assert.Equal(new ConnAckPacket(false, ConnectReturnCode.Accepted), await client.ReceiveAsync<ConnAckPacket>());
        Assert.Equal(new SubAckPacket(1, [SubscribeReturnCode.GrantedQos1]), await client.ReceiveAsync<SubAckPacket>());
        var rest = new[] { await client.ReceiveAsync(), await client.ReceiveAsync() };
        Assert.Contains(new PubAckPacket(2), rest);
        Assert.Contains(Publish(topic, "to myself", QualityOfService.AtLeastOnce, 1), rest);
    }

    [Fact]
    public async Task SubscribingAgainToTheSameFilterReplacesItsQos()
    {
        var topic = $"{TestNames.Topic()}/again";
        await using var subscriber = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());
        await SubscribeAsync(subscriber, topic, QualityOfService.ExactlyOnce);
        await SubscribeAsync(subscriber, topic, QualityOfService.AtMostOnce);
        await using var publisher = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await publisher.SendAsync(Publish(topic, "once", QualityOfService.ExactlyOnce, 1), Publish(topic, "sentinel", QualityOfService.AtMostOnce, 0));

        Assert.Equal(Publish(topic, "once", QualityOfService.AtMostOnce, 0), await subscriber.ReceiveAsync<PublishPacket>());
        Assert.Equal(Publish(topic, "sentinel", QualityOfService.AtMostOnce, 0), await subscriber.ReceiveAsync<PublishPacket>());
    }

    private static async Task SubscribeAsync(RawMqttClient client, string filter, QualityOfService qos)
    {
        await client.SendAsync(new SubscribePacket(1, [new TopicSubscription(filter, qos)]));
        Assert.Equal([(SubscribeReturnCode)qos], (await client.ReceiveAsync<SubAckPacket>()).ReturnCodes);
    }

    private static PublishPacket Publish(string topic, string payload, QualityOfService qos, ushort packetId) =>
        new(topic, System.Text.Encoding.UTF8.GetBytes(payload), qos, Retain: false, Duplicate: false, packetId);
}
