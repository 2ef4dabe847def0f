namespace Broker.Grains.Tests.Infrastructure;

/// <summary>Development mode with deliveries on Orleans' memory streams (<c>Broker:Streams:Provider=Memory</c>), the provider to compare with.</summary>
public sealed class MemoryStreamsCluster : BrokerCluster
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Broker:Mode", "Development"),
        new("Broker:Streams:Provider", "Memory"),
    ];
}
