namespace Broker.Grains;

/// <summary>Messages that one gateway publishes into one instance, in the order its clients sent them.</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed record PublishBatch([property: Id(0)] string GatewayId, [property: Id(1)] ImmutableArray<PublishedMessage> Messages);
