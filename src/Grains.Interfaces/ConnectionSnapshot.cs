namespace Broker.Grains;

/// <summary>What a gateway knows about one of its connections, sent again when an instance grain lost its soft state.</summary>
[GenerateSerializer, Immutable]
public sealed record ConnectionSnapshot(
    [property: Id(0)] long ConnectionId,
    [property: Id(1)] string ClientId,
    [property: Id(2)] PublishedMessage? Will,
    [property: Id(3)] ImmutableArray<SubscriptionRequest> Subscriptions,
    [property: Id(4)] bool ReadOnly = false,
    [property: Id(5)] string? TokenId = null);
