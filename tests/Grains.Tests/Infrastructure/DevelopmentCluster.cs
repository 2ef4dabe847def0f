namespace Broker.Grains.Tests.Infrastructure;

/// <summary>Development mode (the <c>local</c> and <c>public</c> instances are seeded) with the default 30 s lease.</summary>
public sealed class DevelopmentCluster : BrokerCluster
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Broker:Mode", "Development"),
    ];
}
