using Broker.Gateway.Options;
using Broker.Gateway.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Broker.Gateway.Connections;

/// <summary>
/// What a stopping gateway does with its connections. It stops letting clients join (CONNACK 3, <c>/readyz</c> 503;
/// Kestrel stops accepting as the host stops), then closes the connections it has at <see cref="DrainOptions.Rate"/>
/// per second, faster if that would pass <see cref="DrainOptions.Timeout"/>, so that their clients reconnect to the
/// other gateways over time and not all in the same instant. A connection's QoS 1 and 2 publishes that the instance
/// has not accepted are not acknowledged, so its client sends them again after reconnecting; none is acknowledged and
/// then dropped.
/// </summary>
internal sealed partial class ConnectionDrain(
    ConnectionRegistry registry,
    ClusterReadiness readiness,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<ConnectionDrain> logger)
{
    public async Task RunAsync()
    {
        readiness.Stopping();
        var drain = options.Value.Drain;
        var connections = registry.Connections.ToList();
        if (connections.Count == 0)
        {
            return;
        }

        var rate = Math.Max(drain.Rate, connections.Count / Math.Max(drain.Timeout.TotalSeconds, 0.001));
        LogDraining(connections.Count, rate, drain.Timeout.TotalSeconds);
        var started = time.GetTimestamp();
        for (var closed = 0; closed < connections.Count; closed++)
        {
            var due = TimeSpan.FromSeconds(closed / rate) - time.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, time);
            }

            connections[closed].Abort("the gateway is shutting down");
        }

        var took = time.GetElapsedTime(started);
        LogDrained(connections.Count, took.TotalSeconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: closing {Count} connections, {Rate:F0} per second, all within {Timeout:F0} s; their clients reconnect to other gateways")]
    private partial void LogDraining(int count, double rate, double timeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: closed {Count} connections in {Seconds:F1} s")]
    private partial void LogDrained(int count, double seconds);
}
