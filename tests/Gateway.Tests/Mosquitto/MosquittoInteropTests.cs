using System.Text;
using System.Threading.Channels;
using Broker.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
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
        using var publisher = await ConnectMqttnetAsync();

        await publisher.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload("from MQTTnet")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.ExactlyOnce)
            .Build());

        var result = await subscriber.WaitForExitAsync();
        Assert.Equal([$"{topic} from MQTTnet"], result.Messages);
        Assert.StartsWith("received PUBLISH (d0, q2, r0,", Assert.Single(result.ReceivedPublishes));
    }

    [Fact]
    public async Task MessagePublishedWithMosquittoPubReachesMqttnet()
    {
        var topic = $"{_prefix}/from-mosquitto";
        using var subscriber = await ConnectMqttnetAsync();
        var received = Channel.CreateUnbounded<MqttApplicationMessage>();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received.Writer.TryWrite(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);

        await _mosquitto.PublishOkAsync("-t", topic, "-q", "2", "-m", "from mosquitto");

        using var timeout = new CancellationTokenSource(MosquittoProcess.Timeout);
        var message = await received.Reader.ReadAsync(timeout.Token);
        Assert.Equal(topic, message.Topic);
        Assert.Equal("from mosquitto", Encoding.UTF8.GetString(message.Payload));
        Assert.Equal(MqttQualityOfServiceLevel.ExactlyOnce, message.QualityOfServiceLevel);
        Assert.False(message.Retain);
    }

    private async Task<IMqttClient> ConnectMqttnetAsync()
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.MqttPort)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId($"mqttnet-{Guid.NewGuid():N}")
            .WithCredentials(BrokerFixture.Instance, BrokerFixture.Secret)
            .Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }
}
