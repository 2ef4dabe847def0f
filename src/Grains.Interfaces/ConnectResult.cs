namespace Broker.Grains;

/// <summary>
/// The instance's answer to a CONNECT, with the epoch of the activation that registered the connection, the token it used, and
/// the lease of the gateway it registered the connection under: when that lease is not the one the gateway's other
/// connections there were registered under, the instance forgot them, and the gateway must restore them.
/// <see cref="Gateways"/> are the gateways that hold connections there, as <see cref="LeaseRenewal.Gateways"/>.
/// <see cref="AwaitsRestore"/> says that the activation replaced one that knew the gateway with connections, and holds
/// QoS 1 and 2 messages until the gateway has restored what it has there, if only to say that it has nothing else.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ConnectResult(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] bool ReadOnly,
    [property: Id(2)] Guid Epoch,
    [property: Id(3)] Guid LeaseId,
    [property: Id(5)] ImmutableArray<string> Gateways,
    [property: Id(4)] string? TokenId = null,
    [property: Id(6)] bool AwaitsRestore = false);
