using System.Net;
using Broker.TestHost;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// What an operator reads from a gateway or silo run with the default logging: where it listens and in which mode,
/// and nothing for ordinary work (health probes, HTTP requests, clients that come and go). What Orleans' memory
/// streams log when a silo stops in the middle of a queue read is left out: the delivery path is to change.
/// </summary>
public sealed class DefaultLogTests : IDisposable
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), $"broker-log-tests-{Guid.NewGuid():N}");

    [Fact]
    public async Task ADevelopmentBrokerLogsItsListenersCertificateAndNewDatabaseAndNothingForOrdinaryWork()
    {
        var (mqttPort, httpPort) = (FreePort.Next(), FreePort.Next());
        var keyFile = Path.Combine(Path.GetTempPath(), $"broker-admin-key-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(keyFile, "admin-key\n");
        try
        {
            await using var gateway = BrokerProcess.Start("Gateway", new Dictionary<string, string>
            {
                ["Broker:DataPath"] = _dataPath,
                ["Broker:Silo:Port"] = $"{FreePort.Next()}",
                ["Broker:Silo:GatewayPort"] = $"{FreePort.Next()}",
                ["Broker:Ports:Mqtt"] = $"{mqttPort}",
                ["Broker:Ports:MqttTls"] = $"{FreePort.Next()}",
                ["Broker:Ports:Http"] = $"{httpPort}",
                ["Broker:Ports:Https"] = $"{FreePort.Next()}",
                ["Broker:Admin:KeyFile"] = keyFile,
            });
            await gateway.WaitForLineAsync("listening: MQTT on port");
            var started = gateway.Lines;

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/broker/hello", new StringContent("over HTTP"))).StatusCode);
            await using (var client = await MqttTestClient.ConnectAsync("127.0.0.1", mqttPort, new MqttTestClientOptions { Instance = "local", ClientId = TestNames.ClientId() }))
            {
                await client.SubscribeAsync("hello");
                await client.PublishAsync("hello", "over MQTT");
                await client.ReceiveAsync();
            }

            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/livez")).StatusCode);
            var served = gateway.Lines;
            await gateway.TerminateAsync();
            Assert.Equal(0, await gateway.WaitForExitAsync());

            Assert.Collection(
                started,
                line => Assert.EndsWith($"Admin API on at /admin of the HTTP and HTTPS ports, with the bearer key from the file {keyFile}", line, StringComparison.Ordinal),
                line => Assert.Contains("Created a self-signed development certificate", line, StringComparison.Ordinal),
                line => Assert.Contains("The broker's Sqlite database schema was brought from version 0 to", line, StringComparison.Ordinal),
                line => Assert.Contains("Broker gateway (Development mode) listening: MQTT on port", line, StringComparison.Ordinal));
            Assert.Equal(started, served);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public async Task ASiloStartsWithALineForANewSchemaAndOneForItsPortsNoWarningAndStopsWithExitCodeZero()
    {
        var (siloPort, gatewayPort) = (FreePort.Next(), FreePort.Next());
        await using var cluster = await ClusterProcesses.CreateAsync();
        await using var silo = cluster.StartSilo(siloPort, gatewayPort);
        await silo.WaitForLineAsync("listening");
        var running = silo.Lines;
        await silo.TerminateAsync();
        Assert.Equal(0, await silo.WaitForExitAsync());

        var schema = await cluster.Database.ScalarAsync("SELECT MAX(version) FROM broker_schema;");
        Assert.Collection(
            running,
            line => Assert.EndsWith($"The broker's PostgreSql database schema was brought from version 0 to {schema}", line, StringComparison.Ordinal),
            line => Assert.EndsWith($"Broker silo (Cluster mode) listening: silo-to-silo on port {siloPort}, gateways on port {gatewayPort}", line, StringComparison.Ordinal));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}
