namespace Broker.Grains.Tests.Infrastructure;

/// <summary>Cluster mode with a 2 s lease, so that a gateway that stops renewing is dropped within a test.</summary>
public sealed class ShortLeaseCluster : BrokerCluster
{
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(2);

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Broker:Mode", "Cluster"),
        new("Broker:Lease:Duration", LeaseDuration.ToString()),
    ];
}
