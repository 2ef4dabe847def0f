namespace Broker.Gateway.Routing;

/// <summary>The instance could not be reached (no silo answers): an expected event while the cluster is down.</summary>
internal sealed class InstanceUnavailableException(string instance, Exception inner)
    : Exception($"instance '{instance}' is unavailable: {inner.Message}", inner);
