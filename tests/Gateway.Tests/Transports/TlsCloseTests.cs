using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Broker.Gateway.Hosting;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Gateway.Transports;
using Broker.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Tests.Transports;

/// <summary>
/// D6: clients that connect over TLS and close, as most clients do, leave nothing in the gateway's log that looks
/// like a failure. Each case starts its own gateway with a log recorder and stops it before reading the log: Kestrel
/// finishes every connection, its connection-closed callbacks included, before its stop completes. The failure this
/// guards against was a race that hit about one connection in a hundred here, hence the many connections.
/// </summary>
public sealed class TlsCloseTests : IDisposable
{
    private const int Connections = 200;
    private const string Instance = "alpha";
    private const string Secret = "alpha-secret";

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), $"broker-tls-close-{Guid.NewGuid():N}");

    [Theory]
    [InlineData(TlsClose.Fin)]
    [InlineData(TlsClose.CloseNotifyThenFin)]
    [InlineData(TlsClose.DisconnectThenFin)]
    public async Task ClientsConnectingOverTlsAndClosingLeaveNoFailureInTheLog(TlsClose close)
    {
        var log = new LogRecorder();
        await using var app = Build(log);
        await app.StartAsync();
        var listeners = app.Services.GetRequiredService<GatewayListeners>();
        var (port, certificate) = (listeners.PortOf(ListenerKind.MqttTls), listeners.Certificate!.Certificate);

        for (var i = 0; i < Connections; i++)
        {
            await ConnectAndCloseAsync(port, certificate, close);
        }

        // Every MQTT connection has ended (the gateway logs each end) before the stop, which would end them otherwise.
        await log.WaitForAsync(entry => entry.Message.Contains(": connection of client ", StringComparison.Ordinal), Connections);
        await app.StopAsync();

        // The co-hosted silo's memory streams may log an error of their own while the gateway stops; what this test is
        // about are the connections' ends, logged by Kestrel and the gateway.
        var failures = log.Failures.Where(entry => !entry.Category.StartsWith("Orleans.", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    /// <summary>A development gateway with only its MQTT over TLS listener, logging to <paramref name="log"/> alone.</summary>
    private WebApplication Build(LogRecorder log) => GatewayApplication.Build([], builder =>
    {
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Broker:Mode"] = "Development",
            ["Broker:Ports:Mqtt"] = "0",
            ["Broker:Ports:MqttTls"] = FreePort.Next().ToString(),
            ["Broker:Ports:Http"] = "0",
            ["Broker:Ports:Https"] = "0",
            ["Broker:DataPath"] = _dataPath,
            ["Broker:Silo:Port"] = FreePort.Next().ToString(),
            ["Broker:Silo:GatewayPort"] = FreePort.Next().ToString(),
            [$"Broker:Instances:{Instance}:Tokens:0:Secret"] = Secret,

            // Every connection's end is logged at Debug; the test counts those lines.
            ["Logging:LogLevel:Broker.Gateway.Connections"] = "Debug",
        });
        builder.Logging.ClearProviders().AddProvider(log);
    });

    /// <summary>A raw TLS client: CONNECT, wait for the CONNACK, then close the connection as <paramref name="close"/> says.</summary>
    private static async Task ConnectAndCloseAsync(int port, X509Certificate2 trusted, TlsClose close)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, presented, _, errors) => TlsTrust.IsTrusted(trusted, presented, errors),
        });
        var connect = new ConnectPacket(ConnectPacket.Mqtt311ProtocolName, ConnectPacket.Mqtt311ProtocolLevel, TestNames.ClientId(), true, 60, Instance, Encoding.UTF8.GetBytes(Secret), null);
        await tls.WriteAsync(RawWebSocketClient.Encode(connect));
        var connAck = new byte[4];
        await tls.ReadExactlyAsync(connAck);
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x00 }, connAck);

        switch (close)
        {
            case TlsClose.CloseNotifyThenFin:
                await tls.ShutdownAsync();
                break;
            case TlsClose.DisconnectThenFin:
                await tls.WriteAsync(RawWebSocketClient.Encode(DisconnectPacket.Instance));
                break;
        }
    }
}
