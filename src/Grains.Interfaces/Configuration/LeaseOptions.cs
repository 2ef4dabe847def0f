namespace Broker.Grains.Configuration;

/// <summary>How long an instance keeps a gateway's connections without hearing from that gateway (section <c>Broker:Lease</c>).</summary>
public sealed class LeaseOptions
{
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a gateway renews its leases; well below <see cref="Duration"/>.</summary>
    public TimeSpan RenewalPeriod { get; set; } = TimeSpan.FromSeconds(10);
}
