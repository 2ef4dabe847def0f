namespace Broker.Grains;

/// <summary>
/// Messages that one gateway publishes into one instance, in the order its clients sent them. <see cref="Sequence"/>
/// numbers the gateway's batches for the instance from 1, so that a batch the gateway sends again after a failed or
/// unanswered call is routed once by the activation that got it first (the gateway id is new with every gateway
/// process, so the numbers need no epoch of their own). <see cref="LeaseId"/> is the lease the gateway's connections
/// in the instance are registered under (empty when it has none): an activation that does not hold it lost them, and
/// they must be restored before the batch is routed.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed record PublishBatch(
    [property: Id(0)] string GatewayId,
    [property: Id(1)] ImmutableArray<PublishedMessage> Messages,
    [property: Id(2)] long Sequence,
    [property: Id(3)] Guid LeaseId);
