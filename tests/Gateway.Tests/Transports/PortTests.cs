using System.Net;
using System.Net.Sockets;
using Broker.Gateway.Hosting;
using Broker.Gateway.Transports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Tests.Transports;

/// <summary>
/// A port another process holds: development mode moves to the next free port and says so, cluster mode does not
/// start. The start-up line names the port of every listener.
/// </summary>
public sealed class PortTests : IDisposable
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), $"broker-ports-{Guid.NewGuid():N}");

    [Fact]
    public void ClusterGatewayDoesNotStartOnATakenPort()
    {
        using var taken = Occupy();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        var error = Assert.Throws<PortUnavailableException>(() => GatewayApplication.Build([], builder =>
            builder.Configuration.AddInMemoryCollection(Settings("Cluster", mqtt: port))));

        Assert.Equal(
            $"The Mqtt listener cannot use port {port} (Broker:Ports:Mqtt): the port is taken by another process. Free the port, set another one, or set 0 to switch the listener off.",
            error.Message);
    }

    [Fact]
    public async Task DevelopmentGatewayMovesFromATakenPortToAFreeOneServesItAndLogsIt()
    {
        using var taken = Occupy();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        var log = new CapturedLog();
        var app = GatewayApplication.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(Settings("Development", mqtt: port));
            builder.Logging.ClearProviders().AddProvider(log);
        });
        await using var _ = app;
        var listeners = app.Services.GetRequiredService<GatewayListeners>();
        var moved = Assert.Single(listeners.Ports, bound => bound.Listener == ListenerKind.Mqtt);

        await app.StartAsync();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, moved.Actual);
        await app.StopAsync();

        Assert.Equal((port, "the port is taken by another process"), (moved.Requested, moved.MovedBecause));
        Assert.True(moved.Actual > port, $"moved to {moved.Actual}");
        Assert.Contains((LogLevel.Warning, $"Port {port} for the Mqtt listener is not available (the port is taken by another process); it uses port {moved.Actual} instead"), log.Entries);
        Assert.Contains(
            (LogLevel.Information, $"Broker gateway (Development mode) listening: MQTT on port {moved.Actual}, MQTT over TLS on port {listeners.PortOf(ListenerKind.MqttTls)}, HTTP and MQTT over WebSocket on port 0, HTTPS and MQTT over secure WebSocket on port 0, metrics on port 0 (0: off)"),
            log.Entries);
    }

    [Fact]
    public async Task DevelopmentSiloMovesFromPortsAnotherBrokerHoldsAndSaysSo()
    {
        using var siloTaken = OccupyLoopback();
        using var gatewayTaken = OccupyLoopback();
        var siloPort = ((IPEndPoint)siloTaken.LocalEndPoint!).Port;
        var gatewayPort = ((IPEndPoint)gatewayTaken.LocalEndPoint!).Port;
        var log = new CapturedLog();
        var settings = Settings("Development", mqtt: 0);
        settings["Broker:Silo:Port"] = siloPort.ToString();
        settings["Broker:Silo:GatewayPort"] = gatewayPort.ToString();
        var app = GatewayApplication.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders().AddProvider(log);
        });
        await using var _ = app;

        await app.StartAsync();
        var moved = Assert.Single(log.Entries, entry => entry.Message.StartsWith("The development silo's", StringComparison.Ordinal));
        var ports = System.Text.RegularExpressions.Regex.Match(moved.Message, @"it uses (\d+) and (\d+)$");
        var (usedSilo, usedGateway) = (int.Parse(ports.Groups[1].Value), int.Parse(ports.Groups[2].Value));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, usedGateway);
        await app.StopAsync();

        Assert.Equal(LogLevel.Warning, moved.Level);
        Assert.True(usedSilo > siloPort && usedGateway > gatewayPort, moved.Message);
    }

    [Fact]
    public void ClusterGatewayWithoutCertificateLogsThatItsTlsListenersAreOff()
    {
        var log = new CapturedLog();
        using var app = GatewayApplication.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(Settings("Cluster", mqtt: FreePort.Next(), https: FreePort.Next()));
            builder.Logging.ClearProviders().AddProvider(log);
        });

        Assert.Equal(
            [
                (LogLevel.Warning, "The MqttTls listener is off: no certificate is configured (Broker:Tls:Certificate); set one, or set its port to 0 to silence this"),
                (LogLevel.Warning, "The Https listener is off: no certificate is configured (Broker:Tls:Certificate); set one, or set its port to 0 to silence this"),
            ],
            log.Entries.Where(entry => entry.Message.Contains("listener is off", StringComparison.Ordinal)));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    /// <summary>A socket that holds a free port on every address, as another broker would.</summary>
    private static Socket Occupy()
    {
        var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        socket.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        socket.Listen();
        return socket;
    }

    /// <summary>A socket that holds a free loopback port, as another development silo would.</summary>
    private static Socket OccupyLoopback()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen();
        return socket;
    }

    private Dictionary<string, string?> Settings(string mode, int mqtt, int https = 0) => new()
    {
        ["Broker:Mode"] = mode,
        ["Broker:Ports:Mqtt"] = mqtt.ToString(),
        ["Broker:Ports:MqttTls"] = FreePort.Next().ToString(),
        ["Broker:Ports:Http"] = "0",
        ["Broker:Ports:Https"] = https.ToString(),
        ["Broker:DataPath"] = _dataPath,
        ["Broker:Silo:Port"] = FreePort.Next().ToString(),
        ["Broker:Silo:GatewayPort"] = FreePort.Next().ToString(),

        // A cluster gateway needs its database's address to start; these tests never reach a silo.
        ["Broker:Database"] = "Host=127.0.0.1;Port=1;Database=unused",
    };
}
