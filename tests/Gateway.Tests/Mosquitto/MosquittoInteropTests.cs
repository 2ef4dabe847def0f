using Broker.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Mosquitto;

/// <summary>Messages cross between different client libraries: MQTTnet on one side, the mosquitto tools on the other.</summary>
[Collection(BrokerCollection.Name)]
public sealed class MosquittoInteropTests(BrokerFixture broker)
{
    private readonly MosquittoClients _mosquitto = new(broker);
    private readonly string _prefix = $"t{Guid.NewGuid():N}";

    [Fact]
    public async Task MessagePublishedWithMqttnetReachesMosquittoSub()
    {
        var topic = $"{_prefix}/from-mqttnet";
        await using var subscriber = await _mosquitto.SubscribeAsync("-t", topic, "-q", "2", "-v", "-C", "1");
        await using var publisher = await ConnectMqttnetAsync();

        await publisher.PublishAsync(topic, "from MQTTnet", MqttQualityOfServiceLevel.ExactlyOnce);

        var result = await subscriber.WaitForExitAsync();
        Assert.Equal([$"{topic} from MQTTnet"], result.Messages);
        Assert.StartsWith("received PUBLISH (d0, q2, r0,", Assert.Single(result.ReceivedPublishes));
    }

    [Fact]
    public async Task MessagePublishedWithMosquittoPubReachesMqttnet()
    {
        var topic = $"{_prefix}/from-mosquitto";
        await using var subscriber = await ConnectMqttnetAsync();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);

        await _mosquitto.PublishOkAsync("-t", topic, "-q", "2", "-m", "from mosquitto");

        var message = await subscriber.ReceiveAsync(MosquittoProcess.Timeout);
        Assert.Equal(topic, message.Topic);
        Assert.Equal("from mosquitto", message.Payload);
        Assert.Equal(MqttQualityOfServiceLevel.ExactlyOnce, message.Qos);
        Assert.False(message.Retain);
    }

    private Task<MqttTestClient> ConnectMqttnetAsync() => broker.ConnectAsync(clientId: TestNames.ClientId("mqttnet"));
}
