namespace Broker.Grains;

/// <summary>A connection an instance tells its gateway to close, and why.</summary>
[GenerateSerializer, Immutable]
public readonly record struct ConnectionClose([property: Id(0)] long ConnectionId, [property: Id(1)] CloseReason Reason);
