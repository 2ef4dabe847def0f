using System.Text;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>
/// A connection's packets act in the order they were sent, even when its publishes wait in the gateway's batch:
/// what a client published before UNSUBSCRIBE or before its connection ended comes first.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class PublishOrderTests(BrokerFixture broker)
{
    private const int Burst = 2000;

    [Fact]
    public async Task OwnMessagePublishedBeforeUnsubscribeIsStillDelivered()
    {
        var prefix = TestNames.Topic();
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());
        await client.SendAsync(new SubscribePacket(1, [new TopicSubscription($"{prefix}/mine", QualityOfService.AtMostOnce)]));
        await client.ReceiveAsync<SubAckPacket>();

        // A burst keeps a batch in flight, so the last publish waits in the gateway while UNSUBSCRIBE is read.
        await client.SendAsync([
            .. Enumerable.Range(0, Burst).Select(n => Publish($"{prefix}/other", $"{n}")),
            Publish($"{prefix}/mine", "before unsubscribe"),
            new UnsubscribePacket(2, [$"{prefix}/mine"])]);

        var packets = new List<MqttPacket>();
        while (packets.Count < 2)
        {
            packets.Add(await client.ReceiveAsync());
        }

        Assert.Contains(new UnsubAckPacket(2), packets);
        Assert.Contains(Publish($"{prefix}/mine", "before unsubscribe"), packets);
    }

    [Fact]
    public async Task WillComesAfterEverythingTheClientPublishedBeforeItsConnectionEnded()
    {
        var prefix = TestNames.Topic();
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{prefix}/#", MqttQualityOfServiceLevel.AtMostOnce);
        var will = new WillMessage($"{prefix}/will", Encoding.UTF8.GetBytes("offline"), QualityOfService.AtMostOnce, Retain: false);
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), will: will);

        await client.SendAsync([
            .. Enumerable.Range(0, Burst).Select(n => Publish($"{prefix}/data", $"{n}")),
            Publish($"{prefix}/data", "last words")]);

        // Half-close: the broker reads every byte sent, then sees the connection end without DISCONNECT.
        client.CloseOutput();

        var before = await subscriber.ReceiveUntilAsync($"{prefix}/will");
        Assert.Equal([.. Enumerable.Range(0, Burst).Select(n => $"{n}"), "last words"], before.Select(message => message.Payload));
    }

    [Fact]
    public async Task EverythingSentBeforeDisconnectIsHandledEvenWhenTheClientClosesRightAway()
    {
        var prefix = TestNames.Topic();
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{prefix}/#", MqttQualityOfServiceLevel.AtMostOnce);
        var will = new WillMessage($"{prefix}/will", Encoding.UTF8.GetBytes("offline"), QualityOfService.AtMostOnce, Retain: false);
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), will: will);

        // What a fire-and-forget client does: publish, DISCONNECT, close the socket without reading. The SUBSCRIBE
        // in the middle keeps the broker busy while the socket closes, with the rest still unread.
        await client.SendAsync([
            .. Enumerable.Range(0, Burst / 2).Select(n => Publish($"{prefix}/data", $"{n}")),
            new SubscribePacket(1, [new TopicSubscription($"{prefix}/nothing", QualityOfService.AtMostOnce)]),
            .. Enumerable.Range(Burst / 2, Burst / 2).Select(n => Publish($"{prefix}/data", $"{n}")),
            DisconnectPacket.Instance]);
        client.CloseOutput();
        Assert.True(await client.WaitClosedAsync());

        await using var publisher = await broker.ConnectAsync();
        await publisher.PublishAsync($"{prefix}/sentinel", "sentinel");
        var before = await subscriber.ReceiveUntilAsync($"{prefix}/sentinel");
        Assert.Equal(Enumerable.Range(0, Burst).Select(n => $"{prefix}/data:{n}"), before.Select(message => $"{message.Topic}:{message.Payload}"));
    }

    private static PublishPacket Publish(string topic, string payload) =>
        new(topic, Encoding.UTF8.GetBytes(payload), QualityOfService.AtMostOnce, Retain: false, Duplicate: false, PacketId: 0);
}
