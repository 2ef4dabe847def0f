namespace Broker.Gateway.Routing;

/// <summary>
/// Whether this gateway can serve clients: its Orleans client is connected and its inbox subscribed, and it is not
/// stopping (a stopping gateway drains its connections and lets no new one join).
/// </summary>
internal sealed class ClusterReadiness
{
    private volatile bool _ready;
    private volatile bool _stopping;

    /// <summary>Whether the gateway is connected to the cluster (also while it stops).</summary>
    public bool IsReady => _ready;

    /// <summary>Why the gateway does not serve new clients, or null when it does.</summary>
    public string? NotServing => _stopping ? "the gateway is shutting down" : _ready ? null : "the gateway is not connected to the cluster yet";

    public void Ready() => _ready = true;

    public void Stopping() => _stopping = true;

    /// <summary>Throws <see cref="InstanceUnavailableException"/> while the gateway does not serve new clients.</summary>
    public void ThrowIfNotReady(string instance)
    {
        if (NotServing is { } reason)
        {
            throw new InstanceUnavailableException(instance, reason);
        }
    }
}
