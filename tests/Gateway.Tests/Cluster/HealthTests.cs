using System.Net;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Tests.Cluster;

/// <summary>
/// The Kubernetes probes of a cluster-mode gateway: <c>/livez</c> stays healthy whatever the cluster does, and
/// <c>/readyz</c> is healthy only while the cluster answers; here the cluster's only silo stops.
/// </summary>
public sealed class HealthTests
{
    [Fact]
    public async Task ReadinessFollowsTheClusterAndLivenessStaysLocal()
    {
        await using var cluster = await ClusterHost.StartAsync(1);
        var httpPort = FreePort.Next();
        var gateway = await cluster.StartGatewayAsync(new ListenerPorts(Http: httpPort), LogLevel.Critical);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal((HttpStatusCode.OK, "Healthy"), await ProbeAsync(http, "/readyz"));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await ProbeAsync(http, "/livez"));

        await cluster.Cluster.StopAllSilosAsync();

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await ProbeAsync(http, "/readyz"));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await ProbeAsync(http, "/livez"));
        await gateway.StopAsync();
    }

    private static async Task<(HttpStatusCode, string)> ProbeAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
