namespace Broker.Gateway.Tests.Cluster;

[CollectionDefinition(Name)]
public sealed class ClusterGatewayCollection : ICollectionFixture<ClusterGatewayFixture>
{
    public const string Name = "Gateway on a test cluster";
}
