namespace Broker.Grains;

/// <summary>
/// An instance's answer to a lease renewal. A new <see cref="LeaseId"/> (a new activation, or one that did not know
/// the gateway or whose lease with it had run out) means the instance lost the gateway's soft state, which the
/// gateway then restores. <see cref="Epoch"/> names the activation and <see cref="LastSequence"/> the last batch it
/// sent to the gateway's inbox, so that a gateway can tell that its inbox stopped receiving.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LeaseRenewal([property: Id(0)] Guid Epoch, [property: Id(1)] Guid LeaseId, [property: Id(2)] long LastSequence);
