using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Broker.TestHost;
using MQTTnet;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// The only silo of a cluster is killed under a serving gateway and started again: meanwhile the gateway stays up,
/// answers every request with the reason the cluster gives (CONNACK 3, HTTP 503, not ready) without a stack trace,
/// disconnects a QoS 1 publisher whose message no silo accepted within the gateway's retry timeout (5 s here), and
/// serves clients and requests again once the silo is back.
/// </summary>
public sealed class SiloOutageTests
{
    private const string AdminKey = "admin-key";
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PublishRetryTimeout = TimeSpan.FromSeconds(5);

    private readonly int _siloPort = FreePort.Next();
    private readonly int _siloGatewayPort = FreePort.Next();
    private readonly int _mqttPort = FreePort.Next();
    private readonly int _httpPort = FreePort.Next();

    [Fact]
    public async Task AKilledSiloLeavesTheGatewayUpAnsweringUnavailableUntilTheSiloIsBack()
    {
        await using var cluster = await ClusterProcesses.CreateAsync();
        await using var silo = cluster.StartSilo(_siloPort, _siloGatewayPort);
        await using var gateway = cluster.StartGateway(_mqttPort, _httpPort, [new("Broker:Admin:Key", AdminKey), new("Broker:PublishRetryTimeout", PublishRetryTimeout.ToString())]);
        await gateway.WaitForLineAsync("Connected to the cluster: serving clients");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_httpPort}") };
        await using var connected = await MqttTestClient.ConnectAsync("127.0.0.1", _mqttPort, ClusterProcesses.Client());
        Assert.Equal(HttpStatusCode.NoContent, (await PublishOverHttpAsync(http)).StatusCode);

        await silo.KillAsync();

        await ClusterProcesses.WaitForReadinessAsync([("of the test", gateway, http)], HttpStatusCode.ServiceUnavailable, RecoveryTimeout);
        var (_, refused) = await MqttTestClient.TryConnectAsync("127.0.0.1", _mqttPort, ClusterProcesses.Client());
        Assert.Equal(MqttClientConnectResultCode.ServerUnavailable, refused);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PublishOverHttpAsync(http)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await AdminListAsync(http)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/livez")).StatusCode);

        // A QoS 1 publish no silo accepts within the retry timeout is not acknowledged: the publisher loses its connection.
        var publish = connected.PublishAsync("hello/lost", "while the silo is down");
        await connected.Disconnected.WaitAsync(RecoveryTimeout);
        await Assert.ThrowsAnyAsync<Exception>(() => publish);

        await using var restarted = cluster.StartSilo(_siloPort, _siloGatewayPort);
        await ClusterProcesses.WaitForReadinessAsync([("of the test", gateway, http)], HttpStatusCode.OK, RecoveryTimeout);
        await using (var subscriber = await ClusterProcesses.ConnectWhenServedAsync(_mqttPort, RecoveryTimeout))
        {
            await subscriber.SubscribeAsync("hello/#");
            await using var publisher = await MqttTestClient.ConnectAsync("127.0.0.1", _mqttPort, ClusterProcesses.Client());
            await publisher.PublishAsync("hello/world", "after the silo came back");
            var received = await subscriber.ReceiveAsync();
            Assert.Equal(("hello/world", "after the silo came back"), (received.Topic, received.Payload));
        }

        Assert.Equal(HttpStatusCode.NoContent, (await PublishOverHttpAsync(http)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AdminListAsync(http)).StatusCode);
        Assert.False(gateway.HasExited);
        Assert.Empty(gateway.FailureLines);
    }

    private static Task<HttpResponseMessage> PublishOverHttpAsync(HttpClient http)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/broker/hello/http") { Content = new StringContent("over HTTP") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClusterProcesses.Instance}:{ClusterProcesses.Secret}")));
        return http.SendAsync(request);
    }

    private static Task<HttpResponseMessage> AdminListAsync(HttpClient http)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/admin/instances");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return http.SendAsync(request);
    }
}
