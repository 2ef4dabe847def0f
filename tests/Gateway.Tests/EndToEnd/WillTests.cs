using System.Text;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>The will of a connection is published on every unclean end and never after DISCONNECT.</summary>
[Collection(BrokerCollection.Name)]
public sealed class WillTests(BrokerFixture broker)
{
    [Fact]
    public async Task WillIsPublishedWhenTheClientDropsItsConnection()
    {
        var topic = $"{TestNames.Topic()}/will";
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), will: Will(topic, "gone", QualityOfService.AtLeastOnce));

        client.Kill();

        Assert.Equal(new ReceivedMessage(topic, "gone", MqttQualityOfServiceLevel.AtLeastOnce, Retain: false), await subscriber.ReceiveAsync());
    }

    [Fact]
    public async Task WillIsNotPublishedAfterDisconnect()
    {
        var prefix = TestNames.Topic();
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{prefix}/+");
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), will: Will($"{prefix}/will", "gone", QualityOfService.AtLeastOnce));

        await client.SendAsync(DisconnectPacket.Instance);
        Assert.True(await client.WaitClosedAsync());

        // The broker closes the socket only after the instance has handled the disconnect, so a will would come first.
        await using var publisher = await broker.ConnectAsync();
        await publisher.PublishAsync($"{prefix}/sentinel", "sentinel");
        Assert.Empty(await subscriber.ReceiveUntilAsync($"{prefix}/sentinel"));
    }

    [Fact]
    public async Task WillIsPublishedOnKeepAliveTimeout()
    {
        var topic = $"{TestNames.Topic()}/will";
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync(topic);
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), keepAliveSeconds: 1, will: Will(topic, "timed out", QualityOfService.AtMostOnce));

        Assert.True(await client.WaitClosedAsync());

        Assert.Equal(new ReceivedMessage(topic, "timed out", MqttQualityOfServiceLevel.AtMostOnce, Retain: false), await subscriber.ReceiveAsync());
    }

    [Fact]
    public async Task WillIsPublishedWhenTheSessionIsTakenOver()
    {
        var topic = $"{TestNames.Topic()}/will";
        var clientId = TestNames.ClientId();
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync(topic);
        await using var first = await RawMqttClient.ConnectAcceptedAsync(broker, clientId, will: Will(topic, "taken over", QualityOfService.AtLeastOnce));

        await using var second = await RawMqttClient.ConnectAcceptedAsync(broker, clientId);

        Assert.Equal(new ReceivedMessage(topic, "taken over", MqttQualityOfServiceLevel.AtLeastOnce, Retain: false), await subscriber.ReceiveAsync());
        Assert.True(await first.WaitClosedAsync());
    }

    [Fact]
    public async Task RetainedWillIsStoredAsRetainedMessage()
    {
        var topic = $"{TestNames.Topic()}/will";
        await using (var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), will: Will(topic, "offline", QualityOfService.AtLeastOnce, retain: true)))
        {
            client.Kill();
        }

        await using var subscriber = await broker.ConnectAsync();

        // The will is published asynchronously after the socket dies; a subscriber that comes too early sees nothing
        // yet, so subscribe once live and take whichever copy (live or retained) comes first.
        await subscriber.SubscribeAsync(topic);
        var first = await subscriber.ReceiveAsync();
        Assert.Equal((topic, "offline"), (first.Topic, first.Payload));
        if (!first.Retain)
        {
            await subscriber.SubscribeAsync(topic);
            Assert.Equal(new ReceivedMessage(topic, "offline", MqttQualityOfServiceLevel.AtLeastOnce, Retain: true), await subscriber.ReceiveAsync());
        }
    }

    [Fact]
    public async Task WillIsPublishedWhenTheClientBreaksTheProtocol()
    {
        var topic = $"{TestNames.Topic()}/will";
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync(topic);
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), will: Will(topic, "broken", QualityOfService.AtLeastOnce));

        await client.SendRawAsync([0x36, 0x05, 0x00, 0x01, (byte)'a', 0x00, 0x01]);

        Assert.True(await client.WaitClosedAsync());
        Assert.Equal(new ReceivedMessage(topic, "broken", MqttQualityOfServiceLevel.AtLeastOnce, Retain: false), await subscriber.ReceiveAsync());
    }

    [Fact]
    public async Task WillOfReadOnlyClientIsNotPublished()
    {
        var prefix = TestNames.Topic();
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{prefix}/+");
        await using var client = await RawMqttClient.ConnectAcceptedAsync(
            broker, TestNames.ClientId(), BrokerFixture.Instance, BrokerFixture.ReadOnlySecret, will: Will($"{prefix}/will", "from a reader", QualityOfService.AtLeastOnce, retain: true));

        client.CloseOutput();
        Assert.True(await client.WaitClosedAsync());

        // The socket closes after the instance handled the unclean end, so a will would come before the sentinel.
        await using var publisher = await broker.ConnectAsync();
        await publisher.PublishAsync($"{prefix}/sentinel", "sentinel");
        Assert.Empty(await subscriber.ReceiveUntilAsync($"{prefix}/sentinel"));
    }

    private static WillMessage Will(string topic, string payload, QualityOfService qos, bool retain = false) =>
        new(topic, Encoding.UTF8.GetBytes(payload), qos, retain);
}
