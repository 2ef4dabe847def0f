using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Broker.Gateway.Telemetry;
using Broker.Grains.Instances;
using Broker.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// The Prometheus scrape endpoint of a gateway process on its metrics port: after known traffic it gives the broker's
/// counters exactly, with Orleans', Kestrel's and the runtime's meters beside them, and the metrics port and the public
/// HTTP port each serve only their own.
/// </summary>
public sealed partial class MetricsEndpointTests(ITestOutputHelper output) : IDisposable
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

        // A second subscriber never acknowledges: its QoS 1 messages stay in flight, and count as queued.
        await using var stalled = await MqttTestClient.ConnectAsync("127.0.0.1", mqttPort, client with { ClientId = TestNames.ClientId() });
        await stalled.SubscribeAsync("metrics/#");
        stalled.Client.ApplicationMessageReceivedAsync += message =>
        {
            message.AutoAcknowledge = false;
            return Task.CompletedTask;
        };
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
            await stalled.ReceiveAsync();
        }

        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        var scraped = await metrics.GetStringAsync("/metrics");
        output.WriteLine(scraped);

        // Payloads "0".."4" are a byte each; "first", "again" and "other" five each.
        Assert.Equal(Messages + 3, Sum(scraped, "broker_messages_in_total"));
        Assert.Equal(2 * (Messages + 3), Sum(scraped, "broker_messages_out_total"));
        Assert.Equal(Messages + 15, Sum(scraped, "broker_bytes_in_bytes_total"));
        Assert.Equal(2 * (Messages + 15), Sum(scraped, "broker_bytes_out_bytes_total"));
        Assert.Equal(3, Sum(scraped, "broker_connections{otel_scope_name=\"Broker\",transport=\"tcp\"}"));
        Assert.Equal(3, Sum(scraped, "broker_queued_messages"));
        Assert.Equal(0, Sum(scraped, "broker_queued_bytes"));
        Assert.Equal(2, Sum(scraped, "broker_retained_messages"));
        Assert.Equal(3, Sum(scraped, "broker_store_write_duration_milliseconds_count"));
        foreach (var prefix in new[] { "orleans_", "kestrel_", "dotnet_" })
        {
            Assert.Contains(scraped.Split('\n'), line => line.StartsWith(prefix, StringComparison.Ordinal));
        }

        Assert.DoesNotContain("metrics/test", scraped, StringComparison.Ordinal);
        AssertTheDashboardQueriesOnlyReportedMetrics(scraped);
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

    /// <summary>
    /// Every metric that deploy/grafana's dashboard queries is one the broker reports: in this scrape, or one of the
    /// broker's instruments that reports only once something happened (a drop, a retry), named as the exporter names it.
    /// </summary>
    private static void AssertTheDashboardQueriesOnlyReportedMetrics(string scraped)
    {
        var reported = scraped.Split('\n').Where(line => line.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(line => line.Split(' ')[2]).ToHashSet();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == BrokerMetrics.MeterName)
            {
                reported.Add(PrometheusName(instrument));
            }
        };
        listener.Start();
        _ = new BrokerMetrics(services.GetRequiredService<IMeterFactory>());
        _ = new InstanceMetrics(services.GetRequiredService<IMeterFactory>());

        var dashboard = JsonNode.Parse(File.ReadAllText(Path.Combine(BrokerProcess.RepositoryRoot(), "deploy", "grafana", "broker-dashboard.json")))!;
        var queried = dashboard["panels"]!.AsArray().SelectMany(panel => panel!["targets"]!.AsArray()).Select(target => (string)target!["expr"]!)
            .SelectMany(expression => MetricName().Matches(expression).Select(match => match.Value)).ToHashSet();
        Assert.NotEmpty(queried);
        foreach (var metric in queried)
        {
            var family = metric.EndsWith("_bucket", StringComparison.Ordinal) ? metric[..^"_bucket".Length] : metric;
            Assert.True(reported.Contains(family), $"the dashboard queries {metric}, which the broker does not report");
        }
    }

    /// <summary>The name the Prometheus exporter gives an instrument: dots to underscores, the unit, and _total for counters.</summary>
    private static string PrometheusName(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        var unit = instrument.Unit switch
        {
            "By" => "_bytes",
            "ms" => "_milliseconds",
            _ => "",
        };
        name += name.EndsWith(unit, StringComparison.Ordinal) ? "" : unit;
        return instrument.GetType().GetGenericTypeDefinition() == typeof(Counter<>) ? name + "_total" : name;
    }

    [GeneratedRegex(@"\b(broker|orleans|dotnet|kestrel)_[a-z_]+")]
    private static partial Regex MetricName();

    /// <summary>The sum of a metric's samples over its label sets, from the Prometheus text format; the metric must be there.</summary>
    private static double Sum(string scraped, string metric)
    {
        var samples = scraped.Split('\n')
            .Where(line => line.StartsWith(metric + (metric.EndsWith('}') ? " " : "{"), StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
            .Select(line => double.Parse(line[(line.IndexOf('}', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture))
            .ToList();
        Assert.True(samples.Count > 0, $"the scrape has no {metric}");
        return samples.Sum();
    }
}
