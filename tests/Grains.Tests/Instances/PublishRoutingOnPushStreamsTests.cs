using Broker.Grains.Tests.Infrastructure;

namespace Broker.Grains.Tests.Instances;

[Collection(DevelopmentClusterCollection.Name)]
public sealed class PublishRoutingOnPushStreamsTests(DevelopmentCluster cluster) : PublishRoutingTests(cluster);
