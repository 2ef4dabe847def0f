using Broker.TestHost;
using Orleans.TestingHost;

namespace Broker.Grains.Tests.Infrastructure;

/// <summary>
/// A two-silo in-process Orleans cluster hosting the broker's grains with the instances the tests use, and a
/// client with the delivery stream provider so tests can read gateway inbox streams. Subclasses choose the
/// broker mode and lease settings. Each cluster has a data folder of its own, deleted when it stops, so that
/// development mode's catalog files never mix with the user's or another cluster's.
/// </summary>
public abstract class BrokerCluster : IAsyncLifetime
{
    public const string Instance = "alpha";
    public const string Secret = "s";
    public const string ReadOnlySecret = "r";
    public const string OtherInstance = "beta";
    public const string OtherSecret = "b";

    private ClusterHost? _host;

    public InProcessTestCluster Cluster => _host?.Cluster ?? throw new InvalidOperationException("The cluster has not started.");

    public IClusterClient Client => Cluster.Client;

    public string DataPath { get; } = Path.Combine(Path.GetTempPath(), $"broker-grains-tests-{Guid.NewGuid():N}");

    public IInstanceGrain Grain(string instance = Instance) => Client.GetGrain<IInstanceGrain>(instance);

    public IInstanceCatalogGrain Catalog => Client.GetGrain<IInstanceCatalogGrain>(IInstanceCatalogGrain.Key);

    /// <summary>Settings added to every silo's configuration on top of the instances.</summary>
    protected abstract IEnumerable<KeyValuePair<string, string?>> Settings { get; }

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Broker:DataPath"] = DataPath,
            [$"Broker:Instances:{Instance}:Tokens:0:Secret"] = Secret,
            [$"Broker:Instances:{Instance}:Tokens:1:Secret"] = ReadOnlySecret,
            [$"Broker:Instances:{Instance}:Tokens:1:ReadOnly"] = "true",
            [$"Broker:Instances:{OtherInstance}:Tokens:0:Secret"] = OtherSecret,

            // Tests restore into young activations of the instances they share; the tests of the hold have a cluster of their own.
            ["Broker:Lease:RestoreWindow"] = "00:00:00",
        };
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        _host = await ClusterHost.StartAsync(2, settings);
        await OnDeployedAsync();
    }

    /// <summary>Runs once the cluster is up, before any test: a fixture can prepare state that no grain has read yet.</summary>
    protected virtual Task OnDeployedAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (Directory.Exists(DataPath))
        {
            Directory.Delete(DataPath, recursive: true);
        }
    }
}
