namespace Broker.Gateway.Transports;

/// <summary>The port a listener ended up on, with the one it asked for (they differ when development mode moved it).</summary>
public readonly record struct BoundPort(ListenerKind Listener, int Requested, int Actual, string? MovedBecause);
