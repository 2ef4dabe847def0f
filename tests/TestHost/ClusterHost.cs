using Broker.Gateway.Hosting;
using Broker.Grains;
using Broker.Grains.Configuration;
using Broker.Grains.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace Broker.TestHost;

/// <summary>
/// A production-shaped deployment in the test process: an in-process test cluster whose silos host the broker's
/// grains (in cluster mode unless the silo settings say otherwise), with a client that reads the delivery streams,
/// and real gateways built in cluster mode that are handed that client instead of creating their own. Disposing it
/// stops the gateways, then the cluster.
/// </summary>
public sealed class ClusterHost : IAsyncDisposable
{
    private readonly List<WebApplication> _gateways = [];

    private ClusterHost(InProcessTestCluster cluster) => Cluster = cluster;

    public InProcessTestCluster Cluster { get; }

    public IClusterClient Client => Cluster.Client;

    public static async Task<ClusterHost> StartAsync(
        short silos,
        IReadOnlyDictionary<string, string?>? siloSettings = null,
        LogLevel minimumLevel = LogLevel.Warning)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Broker:Mode"] = "Cluster" });
            host.Configuration.AddInMemoryCollection(siloSettings ?? new Dictionary<string, string?>());
            host.Logging.SetMinimumLevel(minimumLevel);
            host.UseOrleans(silo => silo.AddBrokerGrains(host.Configuration));
        });
        builder.ConfigureClient(client => client.AddDeliveryStreams(new ConfigurationBuilder().AddInMemoryCollection(siloSettings ?? new Dictionary<string, string?>()).Build()));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new ClusterHost(cluster);
    }

    /// <summary>
    /// A started cluster-mode gateway on the given ports, with <paramref name="settings"/> added to its configuration;
    /// it stops when the cluster host is disposed.
    /// </summary>
    public async Task<WebApplication> StartGatewayAsync(
        ListenerPorts ports,
        LogLevel minimumLevel = LogLevel.Warning,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var gateway = GatewayApplication.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Broker:Mode"] = "Cluster" });
            builder.Configuration.AddInMemoryCollection(ports.Settings());
            builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
            builder.Services.AddSingleton(Client);
            builder.Services.AddSingleton<IGrainFactory>(Client);
            builder.Logging.SetMinimumLevel(minimumLevel);
        });
        _gateways.Add(gateway);
        await gateway.StartAsync();
        return gateway;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in Enumerable.Reverse(_gateways))
        {
            await gateway.StopAsync();
            await gateway.DisposeAsync();
        }

        await Cluster.DisposeAsync();
    }
}
