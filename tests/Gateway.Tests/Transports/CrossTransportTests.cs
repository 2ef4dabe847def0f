using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Transports;

/// <summary>
/// A message published over any transport reaches subscribers over every transport: MQTTnet over TCP and TLS,
/// MQTT.js (Node) over WebSocket and secure WebSocket.
/// </summary>
[Collection(TransportCollection.Name)]
public sealed class CrossTransportTests(TransportFixture broker)
{
    public static TheoryData<Transport, Transport> Directions()
    {
        var directions = new TheoryData<Transport, Transport>();
        foreach (var from in Enum.GetValues<Transport>())
        {
            foreach (var to in Enum.GetValues<Transport>())
            {
                directions.Add(from, to);
            }
        }

        return directions;
    }

    [Theory]
    [MemberData(nameof(Directions))]
    public async Task MessagePublishedOverOneTransportReachesASubscriberOverAnother(Transport from, Transport to)
    {
        var topic = $"{TestNames.Topic()}/{from}/{to}";
        await using var subscriber = await ConnectAsync(to);
        await subscriber.SubscribeAsync(topic);
        await using var publisher = await ConnectAsync(from);

        await publisher.PublishAsync(topic, $"from {from} to {to}");

        Assert.Equal(new ReceivedMessage(topic, $"from {from} to {to}", MqttQualityOfServiceLevel.AtLeastOnce, false), await subscriber.ReceiveAsync());
    }

    private async Task<ITransportClient> ConnectAsync(Transport transport) => transport switch
    {
        Transport.Tcp or Transport.Tls => await broker.ConnectMqttNetAsync(transport),
        _ => await NodeMqttClient.ConnectAsync(broker, transport),
    };
}
