namespace Broker.Grains;

/// <summary>
/// One event on a gateway's inbox stream: what one instance sends that gateway after one grain turn. Each
/// message is carried once, however many of the gateway's connections receive it.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed record InboxBatch(
    [property: Id(0)] string Instance,
    [property: Id(1)] Guid Epoch,
    [property: Id(2)] long Sequence,
    [property: Id(3)] ImmutableArray<PublishedMessage> Messages,
    [property: Id(4)] ImmutableArray<Delivery> Deliveries,
    [property: Id(5)] ImmutableArray<long> ConnectionsToClose);
