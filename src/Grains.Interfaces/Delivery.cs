namespace Broker.Grains;

/// <summary>
/// One message (an index into <see cref="InboxBatch.Messages"/>) for one connection, at the granted QoS, with a
/// leading '/' on the topic when the matching subscription had one.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct Delivery(
    [property: Id(0)] int MessageIndex,
    [property: Id(1)] long ConnectionId,
    [property: Id(2)] byte Qos,
    [property: Id(3)] bool RootSlash = false);
