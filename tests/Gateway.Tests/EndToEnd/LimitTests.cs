using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>
/// The instance limits at their defaults, each at its boundary and one past it, with the MQTT-correct reaction:
/// CONNACK 2 for a client id, SUBACK 0x80 for that filter only, and for PUBLISH (which has no negative
/// acknowledgement) closing that connection and no other. "Not delivered" is proved with a sentinel published
/// afterwards by another client (one consistent order per instance). In the data, <c>P</c> stands for a topic
/// level unique to the test.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class LimitTests(BrokerFixture broker)
{
    private const int MaxClientIdLength = 64;
    private const int MaxTopicLength = 128;
    private const int MaxPayloadLength = 64 * 1024;
    private const int MaxSubscriptions = 100;

    [Fact]
    public async Task ClientIdOfSixtyFourCharactersIsAccepted()
    {
        var (client, connAck) = await RawMqttClient.ConnectAsync(broker, ClientIdOfLength(MaxClientIdLength));
        await using (client)
        {
            Assert.Equal(new ConnAckPacket(SessionPresent: false, ConnectReturnCode.Accepted), connAck);
            await client.PingAsync();
        }
    }

    [Fact]
    public async Task ClientIdOfSixtyFiveCharactersIsRefusedWithIdentifierRejectedAndClosed()
    {
        var (client, connAck) = await RawMqttClient.ConnectAsync(broker, ClientIdOfLength(MaxClientIdLength + 1));
        await using (client)
        {
            Assert.Equal(new ConnAckPacket(SessionPresent: false, ConnectReturnCode.IdentifierRejected), connAck);
            Assert.True(await client.WaitClosedAsync());
        }
    }

    [Fact]
    public async Task TopicOfOneHundredTwentyEightCharactersIsPublishedAndDeliveredToASubscriberOfThatExactTopic()
    {
        var topic = TopicOfLength(TestNames.Topic(), MaxTopicLength);
        await using var subscriber = await RawMqttClient.ConnectSubscribedAsync(broker, topic);
        await using var publisher = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await PublishAcknowledgedAsync(publisher, topic, "long"u8.ToArray());

        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal(topic, delivered.Topic);
        Assert.Equal("long"u8.ToArray(), delivered.Payload.ToArray());
    }

    [Fact]
    public async Task TopicOfOneHundredTwentyNineCharactersClosesOnlyThePublisherAndIsNotDelivered()
    {
        var prefix = TestNames.Topic();
        var topic = TopicOfLength(prefix, MaxTopicLength + 1);

        await AssertPublishClosesOnlyItsConnectionAsync(prefix, new PublishPacket(topic, "too long"u8.ToArray(), QualityOfService.AtLeastOnce, false, false, 1));
    }

    [Fact]
    public async Task SubscribeFilterOfOneHundredTwentyNineCharactersFailsOnlyThatFilter()
    {
        var prefix = TestNames.Topic();
        var longest = TopicOfLength($"{prefix}/a", MaxTopicLength);
        var tooLong = TopicOfLength($"{prefix}/b", MaxTopicLength + 1);
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await client.SendAsync(new SubscribePacket(3, [
            new TopicSubscription(tooLong, QualityOfService.AtLeastOnce),
            new TopicSubscription(longest, QualityOfService.AtLeastOnce)]));

        var subAck = await client.ReceiveAsync<SubAckPacket>();
        Assert.Equal(3, subAck.PacketId);
        Assert.Equal([SubscribeReturnCode.Failure, SubscribeReturnCode.GrantedQos1], subAck.ReturnCodes);
        await client.PingAsync();
    }

    // '*' stands for '+' in filters only; in a topic name it is outside the allowed characters (and, read as '+',
    // a wildcard, which a topic name may not hold either).
    [Theory]
    [InlineData("P/a b")]
    [InlineData("P/a!b")]
    [InlineData("P/a*b")]
    public async Task PublishToATopicWithACharacterOutsideTheAllowedSetClosesOnlyThePublisherAndIsNotDelivered(string topic)
    {
        var prefix = TestNames.Topic();

        await AssertPublishClosesOnlyItsConnectionAsync(prefix, new PublishPacket(topic.Replace("P", prefix), "bad"u8.ToArray(), QualityOfService.AtLeastOnce, false, false, 1));
    }

    [Theory]
    [InlineData("P/a b")]
    [InlineData("P/a!b")]
    [InlineData("P/a*b")]
    public async Task SubscribeFilterWithACharacterOutsideTheAllowedSetFailsOnlyThatFilter(string filter)
    {
        var prefix = TestNames.Topic();
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await client.SendAsync(new SubscribePacket(4, [
            new TopicSubscription($"{prefix}/ok", QualityOfService.ExactlyOnce),
            new TopicSubscription(filter.Replace("P", prefix), QualityOfService.AtLeastOnce)]));

        var subAck = await client.ReceiveAsync<SubAckPacket>();
        Assert.Equal(4, subAck.PacketId);
        Assert.Equal([SubscribeReturnCode.GrantedQos2, SubscribeReturnCode.Failure], subAck.ReturnCodes);
        await client.PingAsync();
    }

    [Fact]
    public async Task TopicUsingEveryAllowedCharacterIsPublishedAndDelivered()
    {
        var topic = $"{TestNames.Topic()}/Az09.b,c:d;e-f_g$h/i";
        await using var subscriber = await RawMqttClient.ConnectSubscribedAsync(broker, topic);
        await using var publisher = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await PublishAcknowledgedAsync(publisher, topic, "allowed"u8.ToArray());

        Assert.Equal(topic, (await subscriber.ReceiveAsync<PublishPacket>()).Topic);
    }

    [Fact]
    public async Task PayloadOfExactly64KiBIsPublishedAndDelivered()
    {
        var topic = $"{TestNames.Topic()}/payload";
        var payload = new byte[MaxPayloadLength];
        Random.Shared.NextBytes(payload);
        await using var subscriber = await RawMqttClient.ConnectSubscribedAsync(broker, topic);
        await using var publisher = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await PublishAcknowledgedAsync(publisher, topic, payload);

        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal(payload, delivered.Payload.ToArray());
    }

    [Fact]
    public async Task PayloadOneByteOver64KiBClosesOnlyThePublisherAndIsNotDelivered()
    {
        var prefix = TestNames.Topic();

        await AssertPublishClosesOnlyItsConnectionAsync(prefix, new PublishPacket($"{prefix}/payload", new byte[MaxPayloadLength + 1], QualityOfService.AtLeastOnce, false, false, 1));
    }

    [Fact]
    public async Task SubscribeWithOneHundredAndOneFiltersGrantsTheFirstHundredAndFailsTheLast()
    {
        var prefix = TestNames.Topic();
        var filters = Enumerable.Range(0, MaxSubscriptions + 1).Select(i => $"{prefix}/{i}").ToArray();
        await using var subscriber = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());
        await using var publisher = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await subscriber.SendAsync(new SubscribePacket(5, [.. filters.Select(filter => new TopicSubscription(filter, QualityOfService.AtMostOnce))]));

        var subAck = await subscriber.ReceiveAsync<SubAckPacket>();
        Assert.Equal([.. Enumerable.Repeat(SubscribeReturnCode.GrantedQos0, MaxSubscriptions), SubscribeReturnCode.Failure], subAck.ReturnCodes);
        await PublishAcknowledgedAsync(publisher, filters[MaxSubscriptions], "refused"u8.ToArray());
        await PublishAcknowledgedAsync(publisher, filters[0], "sentinel"u8.ToArray());
        Assert.Empty(await subscriber.ReceiveUntilAsync(filters[0]));
    }

    [Fact]
    public async Task HundredFirstSubscriptionFailsWhileResubscribingCountsOnceAndUnsubscribingFreesASlot()
    {
        var prefix = TestNames.Topic();
        var filters = Enumerable.Range(0, MaxSubscriptions).Select(i => $"{prefix}/{i}").ToArray();
        var sentinel = filters[0];
        var extra = $"{prefix}/extra";
        var another = $"{prefix}/another";
        await using var subscriber = await RawMqttClient.ConnectSubscribedAsync(broker, filters);
        await using var publisher = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        Assert.Equal([SubscribeReturnCode.Failure], await SubscribeAsync(subscriber, 10, extra, QualityOfService.AtMostOnce));
        Assert.Equal([SubscribeReturnCode.GrantedQos1], await SubscribeAsync(subscriber, 11, filters[7], QualityOfService.AtLeastOnce));
        Assert.Equal([SubscribeReturnCode.Failure], await SubscribeAsync(subscriber, 12, extra, QualityOfService.AtMostOnce));
        await subscriber.SendAsync(new UnsubscribePacket(13, [filters[7]]));
        Assert.Equal(new UnsubAckPacket(13), await subscriber.ReceiveAsync<UnsubAckPacket>());
        Assert.Equal([SubscribeReturnCode.GrantedQos0], await SubscribeAsync(subscriber, 14, extra, QualityOfService.AtMostOnce));
        Assert.Equal([SubscribeReturnCode.Failure], await SubscribeAsync(subscriber, 15, another, QualityOfService.AtMostOnce));

        await PublishAcknowledgedAsync(publisher, another, "refused"u8.ToArray());
        await PublishAcknowledgedAsync(publisher, filters[7], "unsubscribed"u8.ToArray());
        await PublishAcknowledgedAsync(publisher, extra, "granted"u8.ToArray());
        await PublishAcknowledgedAsync(publisher, sentinel, "sentinel"u8.ToArray());

        var before = await subscriber.ReceiveUntilAsync(sentinel);
        Assert.Equal([extra], before.Select(publish => publish.Topic));
    }

    [Fact]
    public async Task KeepAliveAboveFiveMinutesIsAcceptedAndTheConnectionServed()
    {
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), keepAliveSeconds: ushort.MaxValue);

        await client.PingAsync();
    }

    /// <summary>
    /// Connects a subscriber to everything under <paramref name="prefix"/>, a bystander, and the violator; sends
    /// <paramref name="violation"/> (QoS 1) and asserts: the violator is closed without a PUBACK, the bystander
    /// still publishes, and the subscriber receives only the bystander's message.
    /// </summary>
    private async Task AssertPublishClosesOnlyItsConnectionAsync(string prefix, PublishPacket violation)
    {
        var sentinel = $"{prefix}/sentinel";
        await using var subscriber = await RawMqttClient.ConnectSubscribedAsync(broker, $"{prefix}/#");
        await using var bystander = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());
        await using var violator = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await violator.SendAsync(violation);

        Assert.True(await violator.WaitClosedAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => violator.ReceiveAsync(TimeSpan.FromSeconds(1)));
        await PublishAcknowledgedAsync(bystander, sentinel, "sentinel"u8.ToArray());
        Assert.Empty(await subscriber.ReceiveUntilAsync(sentinel));
    }

    private static string ClientIdOfLength(int length) => Guid.NewGuid().ToString("N").PadLeft(length, 'c');

    /// <summary><paramref name="prefix"/>, a slash, and as many <c>a</c> as make <paramref name="length"/> characters.</summary>
    private static string TopicOfLength(string prefix, int length) => $"{prefix}/".PadRight(length, 'a');

    /// <summary>Publishes at QoS 1 and waits for the PUBACK: the instance has taken the message.</summary>
    private static async Task PublishAcknowledgedAsync(RawMqttClient client, string topic, byte[] payload)
    {
        await client.SendAsync(new PublishPacket(topic, payload, QualityOfService.AtLeastOnce, false, false, 1));
        Assert.Equal(new PubAckPacket(1), await client.ReceiveAsync<PubAckPacket>());
    }

    private static async Task<IReadOnlyList<SubscribeReturnCode>> SubscribeAsync(RawMqttClient client, ushort packetId, string filter, QualityOfService qos)
    {
        await client.SendAsync(new SubscribePacket(packetId, [new TopicSubscription(filter, qos)]));
        var subAck = await client.ReceiveAsync<SubAckPacket>();
        Assert.Equal(packetId, subAck.PacketId);
        return subAck.ReturnCodes;
    }
}
