using System.Collections.Immutable;

namespace Broker.Streaming;

/// <summary>
/// Items of one stream from one producer silo for one subscription, in the order they were produced: the first has
/// <see cref="FirstSequence"/>, each next one the number after. Items must not be changed once produced. The
/// subscription is named because one sink may serve several: a grain's serves all its subscriptions.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PushBatch(
    [property: Id(0)] StreamId Stream,
    [property: Id(1)] Guid Epoch,
    [property: Id(2)] long FirstSequence,
    [property: Id(3)] ImmutableArray<object> Items,
    [property: Id(4)] Guid SubscriptionId);
