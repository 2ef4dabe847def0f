namespace Broker.Grains.Tests.Infrastructure;

/// <summary>
/// Development mode with waits that do not end within a test: an activation that gateways restore into holds QoS 1
/// and 2 publishes for ten minutes, and a turn waits up to a minute for a gateway to accept its deliveries. So a test
/// sees the hold and the wait, and neither ends unless the test ends it.
/// </summary>
public sealed class LongWaitsCluster : BrokerCluster
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Broker:Mode", "Development"),
        new("Broker:Lease:RestoreWindow", "00:10:00"),
        new("Broker:Streams:Push:ConfirmationTimeout", "00:01:00"),
    ];
}
