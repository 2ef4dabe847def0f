using Microsoft.Extensions.Hosting;

namespace Broker.Gateway.Connections;

/// <summary>
/// Closes connections that stay silent for 1.5 times their keep-alive, or that do not send CONNECT in time.
/// One sweep over the gateway's connections replaces a timer per connection, so a packet costs one field write.
/// </summary>
internal sealed class KeepAliveMonitor(ConnectionRegistry registry) : BackgroundService
{
    private static readonly TimeSpan SweepPeriod = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SweepPeriod);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = Environment.TickCount64;
            foreach (var connection in registry.Connections)
            {
                if (connection.IsIdleAt(now))
                {
                    connection.Abort(connection.ClientId is null ? "no CONNECT in time" : "keep-alive timeout");
                }
            }
        }
    }
}
