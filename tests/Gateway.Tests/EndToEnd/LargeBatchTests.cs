using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>A burst of large messages to many subscribers of one gateway arrives whole and in order at each of them.</summary>
[Collection(BrokerCollection.Name)]
public sealed class LargeBatchTests(BrokerFixture broker)
{
    [Fact]
    public async Task BurstOfLargeMessagesReachesEveryOneOfManySubscribersInOrder()
    {
        const int subscriberCount = 20;
        const int messageCount = 40;
        var topic = $"{TestNames.Topic()}/burst";
        var subscribers = new List<RawMqttClient>();
        for (var i = 0; i < subscriberCount; i++)
        {
            var subscriber = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());
            await subscriber.SendAsync(new SubscribePacket(1, [new TopicSubscription(topic, QualityOfService.AtLeastOnce)]));
            await subscriber.ReceiveAsync<SubAckPacket>();
            subscribers.Add(subscriber);
        }

        await using var publisher = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());
        var publishes = Enumerable.Range(1, messageCount)
            .Select(i => (MqttPacket)new PublishPacket(topic, Payload(i), QualityOfService.AtLeastOnce, false, false, (ushort)i))
            .ToArray();
        await publisher.SendAsync(publishes);

        foreach (var subscriber in subscribers)
        {
            for (var i = 1; i <= messageCount; i++)
            {
                var delivery = await subscriber.ReceiveAsync<PublishPacket>();
                Assert.Equal(Payload(i), delivery.Payload.ToArray());
            }

            await subscriber.DisposeAsync();
        }
    }

    private static byte[] Payload(int sequence)
    {
        var payload = new byte[64 * 1024];
        BitConverter.TryWriteBytes(payload, sequence);
        return payload;
    }
}
