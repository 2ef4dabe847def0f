using System.Text;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>
/// A client's messages arrive in publish order whatever their QoS: a QoS 2 message is routed when its PUBLISH
/// arrives (not at PUBREL), and a QoS 0 message never overtakes QoS 1 and 2 messages waiting for a subscriber's
/// in-flight window.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class MixedQosOrderTests(BrokerFixture broker)
{
    private const int Messages = 600;

    [Fact]
    public async Task MessagesOfOneClientAtQos2Then0Then1ArriveInPublishOrder()
    {
        var topic = $"{TestNames.Topic()}/mixed";
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        await using var publisher = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId("publisher"));

        // Everything at once, without waiting for any acknowledgement; the QoS 2 messages are released afterwards.
        await publisher.SendAsync([.. Enumerable.Range(0, Messages).Select(n => (MqttPacket)Publish(topic, n))]);
        var received = new List<string>();
        while (received.Count < Messages)
        {
            received.Add((await subscriber.ReceiveAsync(TimeSpan.FromSeconds(30))).Payload);
        }

        Assert.Equal(Enumerable.Range(0, Messages).Select(n => $"{n}"), received);
        await publisher.SendAsync([.. Enumerable.Range(0, Messages).Where(n => n % 3 == 0).Select(n => (MqttPacket)new PubRelPacket((ushort)(n + 1)))]);
    }

    private static PublishPacket Publish(string topic, int n)
    {
        var qos = (n % 3) switch { 0 => QualityOfService.ExactlyOnce, 1 => QualityOfService.AtMostOnce, _ => QualityOfService.AtLeastOnce };
        return new PublishPacket(topic, Encoding.UTF8.GetBytes($"{n}"), qos, Retain: false, Duplicate: false, qos == QualityOfService.AtMostOnce ? (ushort)0 : (ushort)(n + 1));
    }
}
