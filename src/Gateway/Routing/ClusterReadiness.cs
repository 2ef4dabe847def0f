namespace Broker.Gateway.Routing;

/// <summary>Whether this gateway can serve clients: its Orleans client is connected and its inbox subscribed.</summary>
internal sealed class ClusterReadiness
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void Ready() => _ready = true;

    /// <summary>Throws <see cref="InstanceUnavailableException"/> until the gateway is ready.</summary>
    public void ThrowIfNotReady(string instance)
    {
        if (!_ready)
        {
            throw new InstanceUnavailableException(instance, "the gateway is not connected to the cluster yet");
        }
    }
}
