namespace Broker.Grains.Configuration;

/// <summary>How the broker's processes are laid out (<c>Broker:Mode</c>).</summary>
public enum BrokerMode
{
    /// <summary>One process: the gateway co-hosts a silo; instances <c>public</c> and <c>local</c> are seeded.</summary>
    Development,

    /// <summary>Separate silo and gateway processes; only configured instances exist.</summary>
    Cluster,
}
