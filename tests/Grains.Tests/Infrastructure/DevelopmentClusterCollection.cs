namespace Broker.Grains.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class DevelopmentClusterCollection : ICollectionFixture<DevelopmentCluster>
{
    public const string Name = "Development cluster";
}
