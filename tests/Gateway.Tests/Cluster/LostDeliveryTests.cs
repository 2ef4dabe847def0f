using Broker.Gateway.Routing;
using Broker.Grains;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Cluster;

/// <summary>
/// What a gateway does when delivery batches of an instance are lost on the way (a silo's queue for the gateway
/// overflowed): the batches it receives skip numbers, and the instance's connections that subscribed with QoS 1 or
/// 2 are closed, since they may have been owed a message; QoS 0 subscribers may lose messages and stay.
/// </summary>
[Collection(ClusterGatewayCollection.Name)]
public sealed class LostDeliveryTests(ClusterGatewayFixture gateway)
{
    private readonly string _prefix = $"t{Guid.NewGuid():N}";

    [Fact]
    public async Task BatchesThatSkipNumbersCloseTheInstancesQoS1SubscribersAndKeepItsQoS0Ones()
    {
        await using var atLeastOnce = await gateway.ConnectAsync(ClusterGatewayFixture.Instance, ClusterGatewayFixture.Secret);
        await using var atMostOnce = await gateway.ConnectAsync(ClusterGatewayFixture.Instance, ClusterGatewayFixture.Secret);
        await atLeastOnce.SubscribeAsync($"{_prefix}/#", MqttQualityOfServiceLevel.AtLeastOnce);
        await atMostOnce.SubscribeAsync($"{_prefix}/#", MqttQualityOfServiceLevel.AtMostOnce);

        // Batches 1 and 3 of a made-up activation of the instance reach the gateway; batch 2 never does.
        var inbox = gateway.Cluster.Client.GetStreamProvider(BrokerStreams.ProviderName)
            .GetStream<InboxBatch>(BrokerStreams.GatewayInbox(gateway.GatewayServices.GetRequiredService<GatewayIdentity>().Id));
        var epoch = Guid.NewGuid();
        await inbox.OnNextAsync(EmptyBatch(epoch, 1));
        await inbox.OnNextAsync(EmptyBatch(epoch, 3));

        await atLeastOnce.Disconnected.WaitAsync(TimeSpan.FromSeconds(10));
        await using var publisher = await gateway.ConnectAsync(ClusterGatewayFixture.Instance, ClusterGatewayFixture.Secret);
        await publisher.PublishAsync($"{_prefix}/after", "still here", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(new ReceivedMessage($"{_prefix}/after", "still here", MqttQualityOfServiceLevel.AtMostOnce, false), await atMostOnce.ReceiveAsync());
    }

    private static InboxBatch EmptyBatch(Guid epoch, long sequence) =>
        new(ClusterGatewayFixture.Instance, epoch, sequence, [], [], [], DateTime.UtcNow.Ticks);
}
