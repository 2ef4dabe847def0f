using Microsoft.Extensions.Hosting;

namespace Broker.Gateway.Connections;

/// <summary>
/// Closes connections that stay silent for 1.5 times their keep-alive, or that do not send CONNECT in time.
/// One sweep over the gateway's connections replaces a timer per connection, so a packet costs one field write.
/// </summary>
internal sealed class KeepAliveMonitor(ConnectionRegistry registry, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan SweepPeriod = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SweepPeriod, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Sweep();
        }
    }

    /// <summary>Ends every connection that has been silent too long by now.</summary>
    public void Sweep()
    {
        var now = time.GetTimestamp();
        foreach (var connection in registry.Connections)
        {
            if (connection.IsIdleAt(now))
            {
                connection.Abort(connection.ClientId is null ? "no CONNECT in time" : "keep-alive timeout");
            }
        }
    }
}
