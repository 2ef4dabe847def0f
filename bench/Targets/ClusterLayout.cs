namespace Broker.Bench.Targets;

/// <summary>The shape of a cluster the tool starts: its silos, its gateways, and the instances its clients are spread over.</summary>
public sealed record ClusterLayout(int Silos, int Gateways, int Instances)
{
    /// <summary>The report's name for the cluster: silos x gateways, and the instances when there are several.</summary>
    public string Name => $"cluster {Silos}x{Gateways}" + (Instances > 1 ? $", {Instances} instances" : "");
}
