namespace Broker.Grains.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class MemoryStreamsClusterCollection : ICollectionFixture<MemoryStreamsCluster>
{
    public const string Name = "Memory streams cluster";
}
