using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>
/// The development broker keeps instances and tokens created through the admin API in its data folder: a gateway
/// started again on the same folder lets the token's clients in, and forgets what was deleted.
/// </summary>
public sealed class AdminApiRestartTests : IDisposable
{
    private const string Key = "restart-key";

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), $"broker-restart-{Guid.NewGuid():N}");

    [Fact]
    public async Task RunTimeInstancesAndTokensSurviveARestart()
    {
        var name = $"kept{Guid.NewGuid():N}";
        var gone = $"gone{Guid.NewGuid():N}";
        await using (var first = await StartAsync())
        {
            using var http = AdminClient(first.HttpPort);
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/admin/instances", new StringContent($$"""{"name":"{{name}}"}"""))).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsync($"/admin/instances/{name}/tokens", new StringContent("""{"secret":"kept-secret"}"""))).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/admin/instances", new StringContent($$"""{"name":"{{gone}}"}"""))).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/admin/instances/{gone}")).StatusCode);
        }

        await using var second = await StartAsync();
        using var again = AdminClient(second.HttpPort);
        var names = JsonNode.Parse(await again.GetStringAsync("/admin/instances"))!.AsArray().Select(instance => (string?)instance!["name"]).ToList();
        Assert.Contains(name, names);
        Assert.DoesNotContain(gone, names);
        var (client, connAck) = await RawMqttClient.ConnectAsync(second.Fixture, TestNames.ClientId(), name, "kept-secret");
        await using (client)
        {
            Assert.Equal(ConnectReturnCode.Accepted, connAck.ReturnCode);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    private async Task<RunningGateway> StartAsync()
    {
        var ports = new BrokerFixture();
        var gateway = await DevelopmentGateway.StartAsync(ports.Ports, new Dictionary<string, string?> { ["Broker:Admin:Key"] = Key }, _dataPath);
        return new RunningGateway(gateway, ports);
    }

    private static HttpClient AdminClient(int port)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = MqttTestClient.DefaultTimeout };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return http;
    }

    /// <summary>A started gateway, and a fixture (never initialised) that only names its ports for the test clients.</summary>
    private sealed record RunningGateway(DevelopmentGateway Gateway, BrokerFixture Fixture) : IAsyncDisposable
    {
        public int HttpPort => Fixture.HttpPort;

        public ValueTask DisposeAsync() => Gateway.DisposeAsync();
    }
}
