using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Broker.TestHost;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// A gateway stopped with SIGTERM closes its connections a few at a time, not all at once: at <c>Broker:Drain:Rate</c>
/// per second, faster when that would pass <c>Broker:Drain:Timeout</c>, and exits cleanly once they are closed.
/// </summary>
public sealed class DrainTests
{
    private const int Connections = 20;

    [Fact]
    public async Task AStoppingGatewayClosesItsConnectionsSpreadOverTheDeadlineAndExitsCleanly()
    {
        var (siloPort, siloGatewayPort, mqttPort, httpPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next());
        await using var cluster = await ClusterProcesses.CreateAsync();
        await using var silo = cluster.StartSilo(siloPort, siloGatewayPort);
        await silo.WaitForLineAsync("listening");

        // One per second would take 20 s; the deadline of 2 s makes it ten per second.
        await using var gateway = cluster.StartGateway(mqttPort, httpPort, [new("Broker:Drain:Rate", "1"), new("Broker:Drain:Timeout", "00:00:02")]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        await ClusterProcesses.WaitForReadinessAsync([("of the test", gateway, http)], HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        var closedAt = new ConcurrentBag<TimeSpan>();
        var sinceStop = new Stopwatch();
        var clients = new List<MqttTestClient>();
        try
        {
            for (var i = 0; i < Connections; i++)
            {
                var client = await MqttTestClient.ConnectAsync("127.0.0.1", mqttPort, ClusterProcesses.Client());
                client.Client.DisconnectedAsync += _ =>
                {
                    closedAt.Add(sinceStop.Elapsed);
                    return Task.CompletedTask;
                };
                clients.Add(client);
            }

            sinceStop.Start();
            await gateway.TerminateAsync();
            Assert.Equal(0, await gateway.WaitForExitAsync());
            var exited = sinceStop.Elapsed;

            Assert.Equal(Connections, closedAt.Count);
            var (first, last) = (closedAt.Min(), closedAt.Max());
            Assert.InRange(last - first, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));
            Assert.True(exited < TimeSpan.FromSeconds(10), $"the gateway took {exited.TotalSeconds:F1} s to exit");
            Assert.Contains(gateway.Lines, line => line.Contains($"closing {Connections} connections, 10 per second, all within 2 s", StringComparison.Ordinal));
            Assert.Empty(gateway.FailureLines);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
