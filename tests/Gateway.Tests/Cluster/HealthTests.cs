using System.Net;
using Broker.Gateway.Hosting;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Grains;
using Broker.Grains.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using Orleans.TestingHost;

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
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Broker:Mode"] = "Cluster" });
            host.Logging.SetMinimumLevel(LogLevel.Warning);
            host.UseOrleans(silo => silo.AddBrokerGrains(host.Configuration));
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(BrokerStreams.ProviderName));
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var httpPort = FreePort.Next();
        await using var gateway = GatewayApplication.Build([], app =>
        {
            app.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Broker:Mode"] = "Cluster",
                ["Broker:Ports:Mqtt"] = "0",
                ["Broker:Ports:Http"] = httpPort.ToString(),
                ["Broker:Ports:MqttTls"] = "0",
                ["Broker:Ports:Https"] = "0",
            });
            app.Services.AddSingleton(cluster.Client);
            app.Services.AddSingleton<IGrainFactory>(cluster.Client);
            app.Logging.SetMinimumLevel(LogLevel.Critical);
        });
        await gateway.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal((HttpStatusCode.OK, "Healthy"), await ProbeAsync(http, "/readyz"));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await ProbeAsync(http, "/livez"));

        await cluster.StopAllSilosAsync();

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
