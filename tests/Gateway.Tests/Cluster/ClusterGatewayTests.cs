using Broker.Grains;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Cluster;

/// <summary>The gateway working as a client of a separate two-silo cluster, as gateways do in production.</summary>
[Collection(ClusterGatewayCollection.Name)]
public sealed class ClusterGatewayTests(ClusterGatewayFixture gateway)
{
    private readonly string _prefix = $"t{Guid.NewGuid():N}";

    [Fact]
    public async Task MessageFromOneClientReachesAnotherThroughTheCluster()
    {
        await using var subscriber = await gateway.ConnectAsync(ClusterGatewayFixture.Instance, ClusterGatewayFixture.Secret);
        await using var publisher = await gateway.ConnectAsync(ClusterGatewayFixture.Instance, ClusterGatewayFixture.Secret);
        await subscriber.SubscribeAsync($"{_prefix}/+/temp", MqttQualityOfServiceLevel.ExactlyOnce);

        await publisher.PublishAsync($"{_prefix}/kitchen/humidity", "40", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync($"{_prefix}/kitchen/temp", "21", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync($"{_prefix}/hall/temp", "19", MqttQualityOfServiceLevel.ExactlyOnce);

        Assert.Equal(new ReceivedMessage($"{_prefix}/kitchen/temp", "21", MqttQualityOfServiceLevel.AtLeastOnce, false), await subscriber.ReceiveAsync());
        Assert.Equal(new ReceivedMessage($"{_prefix}/hall/temp", "19", MqttQualityOfServiceLevel.ExactlyOnce, false), await subscriber.ReceiveAsync());
    }

    [Fact]
    public async Task RetainedMessageReachesALaterSubscriberThroughTheCluster()
    {
        await using (var publisher = await gateway.ConnectAsync(ClusterGatewayFixture.Instance, ClusterGatewayFixture.Secret))
        {
            await publisher.PublishAsync($"{_prefix}/state", "on", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        }

        await using var subscriber = await gateway.ConnectAsync(ClusterGatewayFixture.Instance, ClusterGatewayFixture.Secret);
        await subscriber.SubscribeAsync($"{_prefix}/#", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(new ReceivedMessage($"{_prefix}/state", "on", MqttQualityOfServiceLevel.AtLeastOnce, true), await subscriber.ReceiveAsync());
    }

    [Fact]
    public async Task InstancesWhoseGrainsLiveOnDifferentSilosEachDeliverTheirOwnMessages()
    {
        // Pin each instance's grain to its own silo before any client connects to it.
        var silos = gateway.Cluster.GetActiveSilos().Select(silo => silo.SiloAddress).ToArray();
        Assert.Equal(2, silos.Length);
        for (var i = 0; i < ClusterGatewayFixture.PinnedInstances.Length; i++)
        {
            var grain = gateway.Cluster.Client.GetGrain<IInstanceGrain>(ClusterGatewayFixture.PinnedInstances[i]);
            await grain.Subscribe(new ConnectionAddress("placement", 0), []);
            if (SiloOf(grain) != silos[i])
            {
                await gateway.Cluster.MigrateAsync(grain, silos[i]);
                await grain.Subscribe(new ConnectionAddress("placement", 0), []);
            }
        }

        var (east, west) = (ClusterGatewayFixture.PinnedInstances[0], ClusterGatewayFixture.PinnedInstances[1]);
        await using var eastSubscriber = await gateway.ConnectAsync(east, ClusterGatewayFixture.PinnedSecret);
        await using var westSubscriber = await gateway.ConnectAsync(west, ClusterGatewayFixture.PinnedSecret);
        await using var eastPublisher = await gateway.ConnectAsync(east, ClusterGatewayFixture.PinnedSecret);
        await using var westPublisher = await gateway.ConnectAsync(west, ClusterGatewayFixture.PinnedSecret);
        await eastSubscriber.SubscribeAsync($"{_prefix}/#", MqttQualityOfServiceLevel.AtLeastOnce);
        await westSubscriber.SubscribeAsync($"{_prefix}/#", MqttQualityOfServiceLevel.AtLeastOnce);

        await westPublisher.PublishAsync($"{_prefix}/news", "from west", MqttQualityOfServiceLevel.AtLeastOnce);
        await eastPublisher.PublishAsync($"{_prefix}/news", "from east", MqttQualityOfServiceLevel.AtLeastOnce);
        await westPublisher.PublishAsync($"{_prefix}/news", "west again", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal("from east", (await eastSubscriber.ReceiveAsync()).Payload);
        Assert.Equal("from west", (await westSubscriber.ReceiveAsync()).Payload);
        Assert.Equal("west again", (await westSubscriber.ReceiveAsync()).Payload);
        Assert.Equal(
            [silos[0], silos[1]],
            ClusterGatewayFixture.PinnedInstances.Select(name => SiloOf(gateway.Cluster.Client.GetGrain<IInstanceGrain>(name))));
    }

    [Fact]
    public void GatewayUsesTheGivenClientAndHostsNoSiloOfItsOwn()
    {
        Assert.Same(gateway.Cluster.Client, gateway.GatewayServices.GetRequiredService<IClusterClient>());
        Assert.Same(gateway.Cluster.Client, gateway.GatewayServices.GetRequiredService<IGrainFactory>());
        Assert.Null(gateway.GatewayServices.GetService<ILocalSiloDetails>());
        Assert.Equal(2, gateway.Cluster.GetActiveSilos().Count());
    }

    [Fact]
    public async Task ClusterModeRefusesClientsWithoutCredentials()
    {
        var (client, code) = await gateway.TryConnectAsync(instance: null, secret: null);

        Assert.Null(client);
        Assert.NotEqual(MqttClientConnectResultCode.Success, code);
    }

    [Fact]
    public async Task WrongSecretIsRefusedAsNotAuthorized()
    {
        var (client, code) = await gateway.TryConnectAsync(ClusterGatewayFixture.Instance, ClusterGatewayFixture.OtherSecret);

        Assert.Null(client);
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, code);
    }

    private SiloAddress? SiloOf(IInstanceGrain grain) =>
        gateway.Cluster.TryGetGrainContext(grain.GetGrainId(), out var context) ? context.Address.SiloAddress : null;
}
