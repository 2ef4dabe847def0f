using System.Text;
using Broker.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

[Collection(BrokerCollection.Name)]
public sealed class SmokeTests(BrokerFixture broker)
{
    [Fact]
    public async Task MessagePublishedByOneClientReachesAnotherSubscriber()
    {
        var factory = new MqttClientFactory();
        using var subscriber = factory.CreateMqttClient();
        using var publisher = factory.CreateMqttClient();
        var received = new TaskCompletionSource<MqttApplicationMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(e.ApplicationMessage);
            return Task.CompletedTask;
        };

        await subscriber.ConnectAsync(Options("smoke-sub"));
        await subscriber.SubscribeAsync("smoke/topic", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.ConnectAsync(Options("smoke-pub"));
        await publisher.PublishStringAsync("smoke/topic", "hello", MqttQualityOfServiceLevel.AtLeastOnce);

        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("smoke/topic", message.Topic);
        Assert.Equal("hello", Encoding.UTF8.GetString(message.Payload));
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, message.QualityOfServiceLevel);
    }

    private MqttClientOptions Options(string clientId) => new MqttClientOptionsBuilder()
        .WithTcpServer(broker.Host, broker.MqttPort)
        .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
        .WithClientId(clientId)
        .WithCredentials(BrokerFixture.Instance, BrokerFixture.Secret)
        .Build();
}
