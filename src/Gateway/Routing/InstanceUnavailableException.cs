using Broker.Streaming;

namespace Broker.Gateway.Routing;

/// <summary>The instance could not be reached (no silo answers): an expected event while the cluster is down.</summary>
internal sealed class InstanceUnavailableException : Exception
{
    public InstanceUnavailableException(string instance, Exception inner)
        : base($"instance '{instance}' is unavailable: {FailureReason.Of(inner)}", inner)
    {
    }

    public InstanceUnavailableException(string instance, string reason)
        : base($"instance '{instance}' is unavailable: {reason}")
    {
    }
}
