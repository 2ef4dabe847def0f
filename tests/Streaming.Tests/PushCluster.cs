using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Broker.Streaming.Tests;

/// <summary>
/// Two silos and a client with the push stream provider. The client's time is fake, so that its subscriptions are
/// renewed only when a test advances it; leases last long enough that none runs out meanwhile; producers wait
/// <see cref="ConfirmationTimeout"/> for a subscriber. Shared by the tests of one class; each test uses streams of
/// its own.
/// </summary>
public sealed class PushCluster : IAsyncLifetime
{
    public const string Provider = "push";
    public static readonly TimeSpan RenewalPeriod = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan ConfirmationTimeout = TimeSpan.FromSeconds(3);

    private InProcessTestCluster? _cluster;

    public IClusterClient Client => _cluster!.Client;

    /// <summary>The client's clock, which drives its renewals.</summary>
    public FakeTimeProvider ClientTime { get; } = new();

    public InProcessTestCluster Cluster => _cluster!;

    public static StreamId Stream(string key) => StreamId.Create("numbers", key);

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => silo.AddPushStreams(Provider, Configure));
        builder.ConfigureClient(client =>
        {
            client.Services.AddSingleton<TimeProvider>(ClientTime);
            client.AddPushStreams(Provider, Configure);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    private static void Configure(PushStreamOptions options)
    {
        options.RenewalPeriod = RenewalPeriod;
        options.LeaseDuration = TimeSpan.FromMinutes(5);
        options.ConfirmationTimeout = ConfirmationTimeout;
    }
}
