using Broker.Grains;

namespace Broker.Gateway.Routing;

/// <summary>This gateway's link to one instance: its grain, the batching of publishes into it, and the lease that covers the connections here.</summary>
internal sealed class InstanceLink(string instance, IInstanceGrain grain, InstanceRouter router, InstanceLease lease)
{
    public string Instance { get; } = instance;

    public IInstanceGrain Grain { get; } = grain;

    public InstanceRouter Router { get; } = router;

    public InstanceLease Lease { get; } = lease;
}
