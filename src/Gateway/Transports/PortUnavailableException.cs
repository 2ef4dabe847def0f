namespace Broker.Gateway.Transports;

/// <summary>A listener's port could not be bound and the mode does not allow another: the gateway does not start.</summary>
public sealed class PortUnavailableException(string message, Exception innerException) : Exception(message, innerException);
