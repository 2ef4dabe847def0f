using System.Text;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>
/// The ordering guarantee: each client's messages arrive in publish order, and every subscriber of an instance
/// observes one and the same order of its messages.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class OrderingTests(BrokerFixture broker)
{
    private const int Publishers = 3;
    private const int MessagesPerPublisher = 500;
    private const int Subscribers = 3;

    [Fact]
    public async Task AllSubscribersSeeEveryPublishersMessagesInOrderAndInOneGlobalOrder()
    {
        var prefix = TestNames.Topic();
        var subscribers = new List<MqttTestClient>();
        var publishers = new List<RawMqttClient>();
        try
        {
            for (var i = 0; i < Subscribers; i++)
            {
                var subscriber = await broker.ConnectAsync();
                subscribers.Add(subscriber);
                await subscriber.SubscribeAsync($"{prefix}/#", MqttQualityOfServiceLevel.AtLeastOnce);
            }

            for (var i = 0; i < Publishers; i++)
            {
                publishers.Add(await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId("publisher")));
            }

            // Each publisher writes all its QoS 1 messages at once, without waiting for any PUBACK.
            await Task.WhenAll(publishers.Select((publisher, p) => PublishAllAsync(publisher, $"{prefix}/p{p}", p)));

            var observed = await Task.WhenAll(subscribers.Select(ReceiveAllAsync));

            foreach (var messages in observed)
            {
                Assert.Equal(Publishers * MessagesPerPublisher, messages.Count);
                for (var p = 0; p < Publishers; p++)
                {
                    var fromPublisher = messages.Where(message => message.Topic == $"{prefix}/p{p}").Select(message => message.Payload);
                    Assert.Equal(Enumerable.Range(0, MessagesPerPublisher).Select(n => $"{p}:{n}"), fromPublisher);
                }
            }

            Assert.Equal(observed[0], observed[1]);
            Assert.Equal(observed[0], observed[2]);

            // Nothing beyond the 1500: no duplicates trail behind.
            await publishers[0].SendAsync(new PublishPacket($"{prefix}/sentinel", "sentinel"u8.ToArray(), QualityOfService.AtLeastOnce, false, false, 1));
            await publishers[0].ReceiveAsync<PubAckPacket>();
            foreach (var subscriber in subscribers)
            {
                Assert.Empty(await subscriber.ReceiveUntilAsync($"{prefix}/sentinel"));
            }
        }
        finally
        {
            foreach (var publisher in publishers)
            {
                await publisher.DisposeAsync();
            }

            foreach (var subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    private static async Task PublishAllAsync(RawMqttClient publisher, string topic, int p)
    {
        var packets = Enumerable.Range(0, MessagesPerPublisher)
            .Select(n => (MqttPacket)new PublishPacket(topic, Encoding.UTF8.GetBytes($"{p}:{n}"), QualityOfService.AtLeastOnce, false, false, (ushort)(n + 1)))
            .ToArray();
        await publisher.SendAsync(packets);

        var acknowledged = new List<ushort>();
        for (var n = 0; n < MessagesPerPublisher; n++)
        {
            acknowledged.Add((await publisher.ReceiveAsync<PubAckPacket>(TimeSpan.FromSeconds(30))).PacketId);
        }

        Assert.Equal(Enumerable.Range(1, MessagesPerPublisher).Select(id => (ushort)id), acknowledged);
    }

    private static async Task<List<ReceivedMessage>> ReceiveAllAsync(MqttTestClient subscriber)
    {
        var messages = new List<ReceivedMessage>(Publishers * MessagesPerPublisher);
        while (messages.Count < Publishers * MessagesPerPublisher)
        {
            messages.Add(await subscriber.ReceiveAsync(TimeSpan.FromSeconds(30)));
        }

        return messages;
    }
}
