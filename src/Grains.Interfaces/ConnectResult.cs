namespace Broker.Grains;

/// <summary>
/// The instance's answer to a CONNECT, with the epoch of the activation that registered the connection, the token it used, and
/// whether it knew the gateway before (if not, the gateway's other connections there must be restored).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ConnectResult(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] bool ReadOnly,
    [property: Id(2)] Guid Epoch,
    [property: Id(3)] bool GatewayKnown,
    [property: Id(4)] string? TokenId = null);
