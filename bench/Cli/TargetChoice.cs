namespace Broker.Bench.Cli;

public enum TargetChoice
{
    Both,
    Ours,
    Mosquitto,

    /// <summary>Our silos and gateways as processes of their own, in cluster mode on PostgreSQL.</summary>
    Cluster,
}
