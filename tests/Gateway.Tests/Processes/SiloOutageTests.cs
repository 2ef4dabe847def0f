using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Broker.TestHost;
using MQTTnet;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// The only silo of a cluster is killed under a serving gateway and started again: meanwhile the gateway stays up,
/// answers every request with the reason the cluster gives (CONNACK 3, HTTP 503, not ready) without a stack trace,
/// and serves clients and requests again once the silo is back.
/// </summary>
public sealed class SiloOutageTests
{
    private const string Instance = "demo";
    private const string Secret = "demo-secret";
    private const string AdminKey = "admin-key";
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(60);

    private readonly int _siloPort = FreePort.Next();
    private readonly int _siloGatewayPort = FreePort.Next();
    private readonly int _mqttPort = FreePort.Next();
    private readonly int _httpPort = FreePort.Next();

    [Fact]
    public async Task AKilledSiloLeavesTheGatewayUpAnsweringUnavailableUntilTheSiloIsBack()
    {
        var silo = StartSilo();
        await using var gateway = BrokerProcess.Start("Gateway", new Dictionary<string, string>
        {
            ["Broker:Mode"] = "Cluster",
            ["Broker:Silo:GatewayPort"] = $"{_siloGatewayPort}",
            ["Broker:Ports:Mqtt"] = $"{_mqttPort}",
            ["Broker:Ports:Http"] = $"{_httpPort}",
            ["Broker:Ports:MqttTls"] = "0",
            ["Broker:Ports:Https"] = "0",
            ["Broker:ClusterRetryPeriod"] = "00:00:00.500",
            ["Broker:Admin:Key"] = AdminKey,
        });
        await gateway.WaitForLineAsync("Connected to the cluster: serving clients");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_httpPort}") };
        await using var connected = await MqttTestClient.ConnectAsync("127.0.0.1", _mqttPort, Client());
        Assert.Equal(HttpStatusCode.NoContent, (await PublishOverHttpAsync(http)).StatusCode);

        await silo.KillAsync();
        await silo.DisposeAsync();

        await WaitForReadinessAsync(http, HttpStatusCode.ServiceUnavailable, gateway);
        var (_, refused) = await MqttTestClient.TryConnectAsync("127.0.0.1", _mqttPort, Client());
        Assert.Equal(MqttClientConnectResultCode.ServerUnavailable, refused);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PublishOverHttpAsync(http)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await AdminListAsync(http)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/livez")).StatusCode);

        // A QoS 1 publish the instance cannot accept is not acknowledged: the publisher loses its connection.
        var publish = connected.PublishAsync("hello/lost", "while the silo is down");
        await connected.Disconnected.WaitAsync(RecoveryTimeout);
        await Assert.ThrowsAnyAsync<Exception>(() => publish);

        await using var restarted = StartSilo();
        await WaitForReadinessAsync(http, HttpStatusCode.OK, gateway);
        await using (var subscriber = await MqttTestClient.ConnectAsync("127.0.0.1", _mqttPort, Client()))
        {
            await subscriber.SubscribeAsync("hello/#");
            await using var publisher = await MqttTestClient.ConnectAsync("127.0.0.1", _mqttPort, Client());
            await publisher.PublishAsync("hello/world", "after the silo came back");
            var received = await subscriber.ReceiveAsync();
            Assert.Equal(("hello/world", "after the silo came back"), (received.Topic, received.Payload));
        }

        Assert.Equal(HttpStatusCode.NoContent, (await PublishOverHttpAsync(http)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AdminListAsync(http)).StatusCode);
        Assert.False(gateway.HasExited);
        Assert.Empty(gateway.FailureLines);
    }

    private BrokerProcess StartSilo() => BrokerProcess.Start("Silo", new Dictionary<string, string>
    {
        ["Broker:Mode"] = "Cluster",
        ["Broker:Silo:Port"] = $"{_siloPort}",
        ["Broker:Silo:GatewayPort"] = $"{_siloGatewayPort}",
        [$"Broker:Instances:{Instance}:Tokens:0:Secret"] = Secret,
    });

    private static Task<HttpResponseMessage> PublishOverHttpAsync(HttpClient http)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/broker/hello/http") { Content = new StringContent("over HTTP") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Instance}:{Secret}")));
        return http.SendAsync(request);
    }

    private static Task<HttpResponseMessage> AdminListAsync(HttpClient http)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/admin/instances");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return http.SendAsync(request);
    }

    /// <summary>Asks <c>/readyz</c> until it gives <paramref name="status"/>: the probe an orchestrator would ask.</summary>
    private static async Task WaitForReadinessAsync(HttpClient http, HttpStatusCode status, BrokerProcess gateway)
    {
        using var deadline = new CancellationTokenSource(RecoveryTimeout);
        try
        {
            while ((await http.GetAsync("/readyz", deadline.Token)).StatusCode != status)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"/readyz did not answer {status} within {RecoveryTimeout}; the gateway wrote:\n{string.Join('\n', gateway.Lines)}");
        }
    }

    private static MqttTestClientOptions Client() => new() { Instance = Instance, Secret = Secret, ClientId = TestNames.ClientId() };
}
