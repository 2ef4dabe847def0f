namespace Broker.Grains;

/// <summary>What an instance did with a <see cref="PublishBatch"/>; only <see cref="Routed"/> and <see cref="Repeated"/> accept it.</summary>
public enum PublishOutcome
{
    /// <summary>Routed, and its deliveries confirmed as the batch's QoS asks.</summary>
    Routed = 0,

    /// <summary>This activation routed the batch already (the gateway sent it again); not routed twice.</summary>
    Repeated = 1,

    /// <summary>
    /// Not routed: the instance does not hold the gateway's connections under the batch's lease (it was activated
    /// again, or the gateway's lease ran out). The gateway restores them and sends the batch again.
    /// </summary>
    RestoreFirst = 2,

    /// <summary>
    /// Not routed: the instance was activated again and other gateways may not have restored their subscriptions
    /// yet, so it holds QoS 1 and 2 messages for a while. The gateway sends the batch again.
    /// </summary>
    Held = 3,

    /// <summary>
    /// Routed, but the instance's silo began to stop meanwhile, so the deliveries of its QoS 1 and 2 messages may not
    /// have reached the gateways. The gateway sends the batch again; the grain's next activation routes it again, and
    /// subscribers that had it receive it twice.
    /// </summary>
    Unconfirmed = 4,

    /// <summary>
    /// Routed, but the instance could not write the batch's retained messages to its database (it is down or
    /// unreachable), so it did not accept the batch. The gateway sends it again; subscribers may receive its QoS 1 and 2
    /// messages twice.
    /// </summary>
    StoreUnavailable = 5,
}
