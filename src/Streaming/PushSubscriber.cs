namespace Broker.Streaming;

/// <summary>
/// A subscription as the registry hands it to producers: its id and the sink to call, an observer of the subscribing
/// process or the extension of the subscribing grain.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PushSubscriber([property: Id(0)] Guid SubscriptionId, [property: Id(1)] IPushStreamConsumer Consumer);
