using System.Globalization;
using System.Net;
using Broker.TestHost;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// The Prometheus scrape endpoint of a gateway process on its metrics port: after known traffic it gives the broker's
/// counters exactly, with Orleans', Kestrel's and the runtime's meters beside them, and the metrics port and the public
/// HTTP port each serve only their own.
/// </summary>
public sealed class MetricsEndpointTests(ITestOutputHelper output) : IDisposable
{
    private const int Messages = 5;
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), $"broker-metrics-{Guid.NewGuid():N}");

    [Fact]
    public async Task TheScrapeEndpointCountsKnownTrafficAndOnlyTheMetricsPortServesIt()
    {
        var (mqttPort, httpPort, metricsPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        await using var gateway = BrokerProcess.Start("Gateway", new Dictionary<string, string>
        {
            ["Broker:DataPath"] = _dataPath,
            ["Broker:Silo:Port"] = $"{FreePort.Next()}",
            ["Broker:Silo:GatewayPort"] = $"{FreePort.Next()}",
            ["Broker:Ports:Mqtt"] = $"{mqttPort}",
            ["Broker:Ports:MqttTls"] = "0",
            ["Broker:Ports:Http"] = $"{httpPort}",
            ["Broker:Ports:Https"] = "0",
            ["Broker:Ports:Metrics"] = $"{metricsPort}",
        });
        Assert.Contains($"metrics on port {metricsPort}", await gateway.WaitForLineAsync("listening: MQTT on port"), StringComparison.Ordinal);
        var client = new MqttTestClientOptions { Instance = "public", Secret = "public" };
        await using var subscriber = await MqttTestClient.ConnectAsync("127.0.0.1", mqttPort, client with { ClientId = TestNames.ClientId() });
        await subscriber.SubscribeAsync("metrics/#");
        await using var publisher = await MqttTestClient.ConnectAsync("127.0.0.1", mqttPort, client with { ClientId = TestNames.ClientId() });
        for (var i = 0; i < Messages; i++)
        {
            await publisher.PublishAsync("metrics/test", $"{i}", MqttQualityOfServiceLevel.AtMostOnce);
        }

        // Two retained topics, one of them set twice: two retained messages, written to the database.
        await publisher.PublishAsync("metrics/kept/a", "first", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await publisher.PublishAsync("metrics/kept/a", "again", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await publisher.PublishAsync("metrics/kept/b", "other", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        for (var i = 0; i < Messages + 3; i++)
        {
            await subscriber.ReceiveAsync();
        }

        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        var scraped = await metrics.GetStringAsync("/metrics");
        output.WriteLine(scraped);

        // Payloads "0".."4" are a byte each; "first", "again" and "other" five each.
        Assert.Equal(Messages + 3, Sum(scraped, "broker_messages_in_total"));
        Assert.Equal(Messages + 3, Sum(scraped, "broker_messages_out_total"));
        Assert.Equal(Messages + 15, Sum(scraped, "broker_bytes_in_bytes_total"));
        Assert.Equal(Messages + 15, Sum(scraped, "broker_bytes_out_bytes_total"));
        Assert.Equal(2, Sum(scraped, "broker_connections{otel_scope_name=\"Broker\",transport=\"tcp\"}"));
        Assert.Equal(2, Sum(scraped, "broker_retained_messages"));
        Assert.Equal(3, Sum(scraped, "broker_store_write_duration_milliseconds_count"));
        foreach (var prefix in new[] { "orleans_", "kestrel_", "dotnet_" })
        {
            Assert.Contains(scraped.Split('\n'), line => line.StartsWith(prefix, StringComparison.Ordinal));
        }

        Assert.DoesNotContain("metrics/test", scraped, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await metrics.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    /// <summary>The sum of a metric's samples over its label sets, from the Prometheus text format.</summary>
    private static double Sum(string scraped, string metric) => scraped.Split('\n')
        .Where(line => line.StartsWith(metric + (metric.EndsWith('}') ? " " : "{"), StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
        .Sum(line => double.Parse(line[(line.IndexOf('}', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
}
