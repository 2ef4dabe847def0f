namespace Broker.Grains;

/// <summary>A CONNECT that passed the gateway's validation. A null secret asks for anonymous access.</summary>
[GenerateSerializer, Immutable]
public sealed record ConnectRequest(
    [property: Id(0)] ConnectionAddress Connection,
    [property: Id(1)] string ClientId,
    [property: Id(2)] string? Secret,
    [property: Id(3)] PublishedMessage? Will);
