namespace Broker.Gateway.Routing;

/// <summary>Tells the failures a gateway expects while silos are down or moving from bugs.</summary>
internal static class ClusterFailures
{
    /// <summary>
    /// Whether a failed grain call means the cluster could not be reached in time (no silo answers, the connection to
    /// it failed, a message was rejected): an event to log in a line, without a stack trace.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception is OrleansException or TimeoutException or InstanceUnavailableException;
}
