using Broker.Grains.Tests.Infrastructure;

namespace Broker.Grains.Tests.Instances;

[Collection(MemoryStreamsClusterCollection.Name)]
public sealed class PublishRoutingOnMemoryStreamsTests(MemoryStreamsCluster cluster) : PublishRoutingTests(cluster);
