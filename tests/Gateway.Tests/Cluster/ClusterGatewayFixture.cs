using Broker.Gateway.Hosting;
using Broker.Gateway.Tests.Infrastructure;
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
/// The gateway as a pure Orleans client: a two-silo in-process test cluster hosts the instance grains (cluster
/// mode, instances from the silos' configuration), and the real gateway, built in cluster mode on a free MQTT
/// port, is handed the test cluster's client instead of creating its own.
/// </summary>
public sealed class ClusterGatewayFixture : IAsyncLifetime
{
    public const string Instance = "alpha";
    public const string Secret = "alpha-secret";
    public const string OtherInstance = "beta";
    public const string OtherSecret = "beta-secret";

    /// <summary>Instances the placement test pins to one silo each; nothing else uses them.</summary>
    public static readonly string[] PinnedInstances = ["east", "west"];

    public const string PinnedSecret = "pinned-secret";

    private InProcessTestCluster? _cluster;
    private WebApplication? _gateway;

    public int MqttPort { get; } = FreePort.Next();

    public string Host => "127.0.0.1";

    public IServiceProvider GatewayServices => _gateway?.Services ?? throw new InvalidOperationException("The gateway has not started.");

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    public async Task InitializeAsync()
    {
        var siloSettings = new Dictionary<string, string?>
        {
            ["Broker:Mode"] = "Cluster",
            [$"Broker:Instances:{Instance}:Tokens:0:Secret"] = Secret,
            [$"Broker:Instances:{OtherInstance}:Tokens:0:Secret"] = OtherSecret,
        };
        foreach (var pinned in PinnedInstances)
        {
            siloSettings[$"Broker:Instances:{pinned}:Tokens:0:Secret"] = PinnedSecret;
        }

        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(siloSettings);
            host.Logging.SetMinimumLevel(LogLevel.Warning);
            host.UseOrleans(silo => silo.AddBrokerGrains(host.Configuration));
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(BrokerStreams.ProviderName));
        _cluster = builder.Build();
        await _cluster.DeployAsync();

        _gateway = GatewayApplication.Build([], gateway =>
        {
            gateway.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Broker:Mode"] = "Cluster",
                ["Broker:Ports:Mqtt"] = MqttPort.ToString(),
            });
            gateway.Services.AddSingleton(_cluster.Client);
            gateway.Services.AddSingleton<IGrainFactory>(_cluster.Client);
            gateway.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await _gateway.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.StopAsync();
            await _gateway.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
