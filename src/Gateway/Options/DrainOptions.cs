namespace Broker.Gateway.Options;

/// <summary>
/// How a stopping gateway closes its connections (section <c>Broker:Drain</c>): a few at a time, so that its clients
/// reconnect to the other gateways spread over time rather than all at once, and all within a deadline.
/// </summary>
public sealed class DrainOptions
{
    /// <summary>Connections closed per second, at least; faster when the deadline needs it.</summary>
    public double Rate { get; set; } = 100;

    /// <summary>By when every connection is closed, from the stop; the process waits this long for them at most.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
