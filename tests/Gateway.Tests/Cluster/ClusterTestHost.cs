using Broker.Gateway.Hosting;
using Broker.Grains;
using Broker.Grains.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Broker.Gateway.Tests.Cluster;

/// <summary>
/// The pieces of a production-shaped deployment in one test process: an in-process test cluster whose silos host
/// the broker's grains in cluster mode, and real gateways built in cluster mode and handed the cluster's client
/// instead of creating their own.
/// </summary>
internal static class ClusterTestHost
{
    public static async Task<InProcessTestCluster> StartClusterAsync(short silos, IDictionary<string, string?> siloSettings)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Broker:Mode"] = "Cluster" });
            host.Configuration.AddInMemoryCollection(siloSettings);
            host.Logging.SetMinimumLevel(LogLevel.Warning);
            host.UseOrleans(silo => silo.AddBrokerGrains(host.Configuration));
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(BrokerStreams.ProviderName));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>A cluster-mode gateway on the given MQTT and HTTP ports (0: off), without TLS listeners.</summary>
    public static WebApplication BuildGateway(IClusterClient client, int mqttPort, int httpPort = 0, LogLevel minimumLevel = LogLevel.Warning) =>
        GatewayApplication.Build([], gateway =>
        {
            gateway.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Broker:Mode"] = "Cluster",
                ["Broker:Ports:Mqtt"] = mqttPort.ToString(),
                ["Broker:Ports:Http"] = httpPort.ToString(),
                ["Broker:Ports:MqttTls"] = "0",
                ["Broker:Ports:Https"] = "0",
            });
            gateway.Services.AddSingleton(client);
            gateway.Services.AddSingleton<IGrainFactory>(client);
            gateway.Logging.SetMinimumLevel(minimumLevel);
        });
}
