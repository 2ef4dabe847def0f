namespace Broker.Grains;

/// <summary>
/// An instance's answer to a lease renewal. A new <see cref="Epoch"/> or a new <see cref="LeaseId"/> (the instance
/// did not know the gateway, or its lease had run out) means the instance lost the gateway's soft state, which the
/// gateway then restores. <see cref="LastSequence"/> is the sequence of
/// the last batch sent to the gateway's inbox, so that a gateway can tell that its inbox stopped receiving.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LeaseRenewal([property: Id(0)] Guid Epoch, [property: Id(1)] Guid LeaseId, [property: Id(2)] long LastSequence);
