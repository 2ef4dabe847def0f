using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

[Collection(BrokerCollection.Name)]
public sealed class SessionTakeoverTests(BrokerFixture broker)
{
    [Fact]
    public async Task SecondConnectionWithSameClientIdClosesTheFirst()
    {
        var clientId = TestNames.ClientId();
        await using var first = await RawMqttClient.ConnectAcceptedAsync(broker, clientId);

        await using var second = await RawMqttClient.ConnectAcceptedAsync(broker, clientId);

        Assert.True(await first.WaitClosedAsync());
        await second.PingAsync();
    }

    [Fact]
    public async Task NewestConnectionKeepsReceivingAfterTakeover()
    {
        var clientId = TestNames.ClientId();
        var topic = $"{TestNames.Topic()}/after";
        await using var first = await RawMqttClient.ConnectAcceptedAsync(broker, clientId);
        await using var second = await RawMqttClient.ConnectAcceptedAsync(broker, clientId);
        Assert.True(await first.WaitClosedAsync());

        await second.SendAsync(new SubscribePacket(1, [new TopicSubscription(topic, QualityOfService.AtMostOnce)]));
        Assert.Equal([SubscribeReturnCode.GrantedQos0], (await second.ReceiveAsync<SubAckPacket>()).ReturnCodes);
        await second.SendAsync(new PublishPacket(topic, "still here"u8.ToArray(), QualityOfService.AtMostOnce, false, false, 0));

        var publish = await second.ReceiveAsync<PublishPacket>();
        Assert.Equal("still here"u8.ToArray(), publish.Payload.ToArray());
    }

    [Fact]
    public async Task SameClientIdInAnotherInstanceDoesNotCloseTheConnection()
    {
        var clientId = TestNames.ClientId();
        var topic = $"{TestNames.Topic()}/probe";
        await using var alpha = await RawMqttClient.ConnectAcceptedAsync(broker, clientId, BrokerFixture.Instance, BrokerFixture.Secret);

        await using var beta = await RawMqttClient.ConnectAcceptedAsync(broker, clientId, BrokerFixture.OtherInstance, BrokerFixture.OtherSecret);

        // A takeover close would travel on the beta instance's deliveries to this gateway, ahead of this echo.
        await beta.SendAsync(new SubscribePacket(1, [new TopicSubscription(topic, QualityOfService.AtMostOnce)]));
        await beta.ReceiveAsync<SubAckPacket>();
        await beta.SendAsync(new PublishPacket(topic, "echo"u8.ToArray(), QualityOfService.AtMostOnce, false, false, 0));
        await beta.ReceiveAsync<PublishPacket>();
        await alpha.PingAsync();
        Assert.False(alpha.Closed.IsCompleted);
    }
}
