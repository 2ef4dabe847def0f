namespace Broker.Grains;

/// <summary>
/// An instance's answer to a lease renewal. A new <see cref="LeaseId"/> (a new activation, or one that did not know
/// the gateway or whose lease with it had run out) means the instance lost the gateway's soft state, which the
/// gateway then restores. <see cref="Epoch"/> names the activation and <see cref="LastSequence"/> the last batch it
/// sent to the gateway's inbox, so that a gateway can tell that its inbox stopped receiving. <see cref="Gateways"/>
/// are the gateways that hold connections in the instance: should the activation be lost, the gateway tells the next
/// one whom it must hear from before it routes QoS 1 and 2 messages.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LeaseRenewal(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] Guid LeaseId,
    [property: Id(2)] long LastSequence,
    [property: Id(3)] ImmutableArray<string> Gateways);
