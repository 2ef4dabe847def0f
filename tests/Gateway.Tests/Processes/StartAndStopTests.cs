using System.Net;
using Broker.TestHost;
using MQTTnet;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// Silos and gateways as real processes, started in any order and stopped at any time: a gateway without a silo
/// waits, refuses clients with the MQTT reason for it, and is not ready; a stop during start is an ordinary exit.
/// </summary>
public sealed class StartAndStopTests
{

    [Fact]
    public async Task GatewayStartedBeforeAnySiloWaitsNotReadyRefusesClientsAsUnavailableAndServesOnceASiloStarts()
    {
        var (siloPort, siloGatewayPort, mqttPort, httpPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next());
        await using var cluster = await ClusterProcesses.CreateAsync();
        await using var gateway = cluster.StartGateway(mqttPort, httpPort);
        await gateway.WaitForLineAsync("No silo answers yet");
        await gateway.WaitForLineAsync("listening: MQTT on port");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/livez")).StatusCode);
        var (_, refused) = await MqttTestClient.TryConnectAsync("127.0.0.1", mqttPort, ClusterProcesses.Client());
        Assert.Equal(MqttClientConnectResultCode.ServerUnavailable, refused);

        await using var silo = cluster.StartSilo(siloPort, siloGatewayPort);
        await gateway.WaitForLineAsync("Connected to the cluster: serving clients");

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        await using (var subscriber = await MqttTestClient.ConnectAsync("127.0.0.1", mqttPort, ClusterProcesses.Client()))
        {
            await subscriber.SubscribeAsync("hello/#");
            await using var publisher = await MqttTestClient.ConnectAsync("127.0.0.1", mqttPort, ClusterProcesses.Client());
            await publisher.PublishAsync("hello/world", "after the silo came");
            var received = await subscriber.ReceiveAsync();
            Assert.Equal(("hello/world", "after the silo came"), (received.Topic, received.Payload));
        }

        Assert.False(gateway.HasExited);
        Assert.Single(gateway.Lines, line => line.Contains("No silo answers yet", StringComparison.Ordinal));
        Assert.Empty(gateway.FailureLines);
        Assert.Empty(silo.FailureLines);
    }

    [Fact]
    public async Task StopDuringTheCoHostedSilosStartIsAnOrdinaryExit()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), $"broker-process-tests-{Guid.NewGuid():N}");
        try
        {
            await using var gateway = BrokerProcess.Start("Gateway", new Dictionary<string, string>
            {
                ["Broker:DataPath"] = dataPath,
                ["Broker:Silo:Port"] = $"{FreePort.Next()}",
                ["Broker:Silo:GatewayPort"] = $"{FreePort.Next()}",
                ["Broker:Ports:Mqtt"] = $"{FreePort.Next()}",
                ["Broker:Ports:Http"] = "0",
                ["Broker:Ports:MqttTls"] = "0",
                ["Broker:Ports:Https"] = "0",
                ["Logging:LogLevel:Orleans.Runtime.Silo"] = "Information",
            });

            // Orleans says when the co-hosted silo begins to start, inside the host's start: the stop comes then.
            await gateway.WaitForLineAsync("Starting silo");
            await gateway.TerminateAsync();

            Assert.Equal(0, await gateway.WaitForExitAsync());
            Assert.DoesNotContain(gateway.Lines, line => line.Contains("Unhandled exception", StringComparison.Ordinal));
        }
        finally
        {
            if (Directory.Exists(dataPath))
            {
                Directory.Delete(dataPath, recursive: true);
            }
        }
    }
}
