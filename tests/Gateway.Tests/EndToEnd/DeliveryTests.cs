using Broker.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

[Collection(BrokerCollection.Name)]
public sealed class DeliveryTests(BrokerFixture broker)
{
    public static TheoryData<MqttQualityOfServiceLevel, MqttQualityOfServiceLevel> QosPairs()
    {
        var data = new TheoryData<MqttQualityOfServiceLevel, MqttQualityOfServiceLevel>();
        foreach (var published in Enum.GetValues<MqttQualityOfServiceLevel>())
        {
            foreach (var subscribed in Enum.GetValues<MqttQualityOfServiceLevel>())
            {
                data.Add(published, subscribed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(QosPairs))]
    public async Task MessageIsDeliveredAtTheLowerOfPublishedAndSubscribedQos(MqttQualityOfServiceLevel published, MqttQualityOfServiceLevel subscribed)
    {
        var topic = $"{TestNames.Topic()}/qos";
        await using var subscriber = await broker.ConnectAsync();
        await using var publisher = await broker.ConnectAsync();
        await subscriber.SubscribeAsync(topic, subscribed);

        await publisher.PublishAsync(topic, $"published {published}, subscribed {subscribed}", published);

        var message = await subscriber.ReceiveAsync();
        Assert.Equal(new ReceivedMessage(topic, $"published {published}, subscribed {subscribed}", (MqttQualityOfServiceLevel)Math.Min((int)published, (int)subscribed), Retain: false), message);
    }

    [Fact]
    public async Task OverlappingSubscriptionsOfOneClientDeliverOneCopyAtTheHighestQos()
    {
        var prefix = TestNames.Topic();
        await using var subscriber = await broker.ConnectAsync();
        await using var publisher = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{prefix}/#", MqttQualityOfServiceLevel.AtMostOnce);
        await subscriber.SubscribeAsync($"{prefix}/b", MqttQualityOfServiceLevel.ExactlyOnce);

        await publisher.PublishAsync($"{prefix}/b", "once", MqttQualityOfServiceLevel.ExactlyOnce);
        await publisher.PublishAsync($"{prefix}/sentinel", "sentinel", MqttQualityOfServiceLevel.ExactlyOnce);

        var before = await subscriber.ReceiveUntilAsync($"{prefix}/sentinel");
        Assert.Equal([new ReceivedMessage($"{prefix}/b", "once", MqttQualityOfServiceLevel.ExactlyOnce, Retain: false)], before);
    }

    [Fact]
    public async Task UnsubscribeStopsDelivery()
    {
        var prefix = TestNames.Topic();
        await using var subscriber = await broker.ConnectAsync();
        await using var publisher = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{prefix}/a");
        await subscriber.SubscribeAsync($"{prefix}/sentinel");
        await publisher.PublishAsync($"{prefix}/a", "before");
        Assert.Equal("before", (await subscriber.ReceiveAsync()).Payload);

        await subscriber.UnsubscribeAsync($"{prefix}/a");
        await publisher.PublishAsync($"{prefix}/a", "after");
        await publisher.PublishAsync($"{prefix}/sentinel", "sentinel");

        Assert.Empty(await subscriber.ReceiveUntilAsync($"{prefix}/sentinel"));
    }

    [Fact]
    public async Task SubscribeWithAnInvalidFilterFailsOnlyThatFilter()
    {
        var prefix = TestNames.Topic();
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await client.SendAsync(new Broker.Protocol.SubscribePacket(5, [
            new Broker.Protocol.TopicSubscription($"{prefix}/#/b", Broker.Protocol.QualityOfService.AtLeastOnce),
            new Broker.Protocol.TopicSubscription($"{prefix}/a+", Broker.Protocol.QualityOfService.AtMostOnce),
            new Broker.Protocol.TopicSubscription($"{prefix}/ok", Broker.Protocol.QualityOfService.ExactlyOnce)]));

        var subAck = await client.ReceiveAsync<Broker.Protocol.SubAckPacket>();
        Assert.Equal(5, subAck.PacketId);
        Assert.Equal([Broker.Protocol.SubscribeReturnCode.Failure, Broker.Protocol.SubscribeReturnCode.Failure, Broker.Protocol.SubscribeReturnCode.GrantedQos2], subAck.ReturnCodes);
        await client.PingAsync();
    }

    [Fact]
    public async Task PublisherReceivesItsOwnMessageWhenSubscribed()
    {
        var topic = $"{TestNames.Topic()}/echo";
        await using var client = await broker.ConnectAsync();
        await client.SubscribeAsync(topic);

        await client.PublishAsync(topic, "echo");

        Assert.Equal(new ReceivedMessage(topic, "echo", MqttQualityOfServiceLevel.AtLeastOnce, Retain: false), await client.ReceiveAsync());
    }
}
