using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Cluster;

/// <summary>Two gateways in front of one cluster: messages, takeover and wills cross from one to the other.</summary>
[Collection(ClusterGatewayCollection.Name)]
public sealed class TwoGatewayTests(ClusterGatewayFixture gateway)
{
    private readonly string _prefix = $"t{Guid.NewGuid():N}";

    [Fact]
    public async Task MessagePublishedThroughOneGatewayReachesSubscribersOfBoth()
    {
        await using var first = await Connect(gateway.MqttPort);
        await using var second = await Connect(gateway.SecondMqttPort);
        await first.SubscribeAsync($"{_prefix}/#", MqttQualityOfServiceLevel.AtLeastOnce);
        await second.SubscribeAsync($"{_prefix}/#", MqttQualityOfServiceLevel.AtLeastOnce);
        await using var publisher = await Connect(gateway.SecondMqttPort);

        await publisher.PublishAsync($"{_prefix}/a", "one", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync($"{_prefix}/b", "two", MqttQualityOfServiceLevel.AtLeastOnce);

        foreach (var subscriber in new[] { first, second })
        {
            Assert.Equal(new ReceivedMessage($"{_prefix}/a", "one", MqttQualityOfServiceLevel.AtLeastOnce, false), await subscriber.ReceiveAsync());
            Assert.Equal(new ReceivedMessage($"{_prefix}/b", "two", MqttQualityOfServiceLevel.AtLeastOnce, false), await subscriber.ReceiveAsync());
        }
    }

    [Fact]
    public async Task NewerConnectionOnTheOtherGatewayTakesOverAndTheOlderOnesWillIsPublished()
    {
        var clientId = $"{_prefix}-device";
        await using var watcher = await Connect(gateway.SecondMqttPort);
        await watcher.SubscribeAsync($"{_prefix}/status", MqttQualityOfServiceLevel.AtLeastOnce);
        await using var older = await Connect(gateway.MqttPort, clientId, will: ($"{_prefix}/status", "gone"));

        await using var newer = await Connect(gateway.SecondMqttPort, clientId);

        await older.Disconnected.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new ReceivedMessage($"{_prefix}/status", "gone", MqttQualityOfServiceLevel.AtMostOnce, false), await watcher.ReceiveAsync());
        await newer.PublishAsync($"{_prefix}/status", "newer is live", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(new ReceivedMessage($"{_prefix}/status", "newer is live", MqttQualityOfServiceLevel.AtLeastOnce, false), await watcher.ReceiveAsync());
    }

    private Task<MqttTestClient> Connect(int port, string? clientId = null, (string Topic, string Payload)? will = null) =>
        gateway.ConnectAsync(ClusterGatewayFixture.Instance, ClusterGatewayFixture.Secret, port, clientId, will);
}
