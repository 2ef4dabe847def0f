namespace Broker.Grains;

/// <summary>Where a client connection lives: the gateway that holds its socket and the gateway-local connection id.</summary>
[GenerateSerializer, Immutable]
public readonly record struct ConnectionAddress([property: Id(0)] string GatewayId, [property: Id(1)] long ConnectionId);
