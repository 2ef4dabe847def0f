namespace Broker.Grains.Configuration;

/// <summary>How long an instance keeps a gateway's connections without hearing from that gateway (section <c>Broker:Lease</c>).</summary>
public sealed class LeaseOptions
{
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a gateway renews its leases; well below <see cref="Duration"/>.</summary>
    public TimeSpan RenewalPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long after its activation, at most, an instance that gateways restore connections into (it replaced an
    /// activation that died or moved) holds QoS 1 and 2 publishes, so that every gateway with subscriptions there has
    /// restored them before such a message is routed. The hold ends sooner, once every gateway the lost activation
    /// named has restored; the window is for a gateway that restores only at its next renewal: at least the gateways'
    /// <see cref="RenewalPeriod"/>, by default twice that, so that a renewal that failed while the old silo was being
    /// declared dead is tried once more. Zero: not held, and subscribers on gateways that have not restored yet miss
    /// QoS 1 and 2 messages acknowledged meanwhile.
    /// </summary>
    public TimeSpan RestoreWindow { get; set; } = TimeSpan.FromSeconds(20);
}
