using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Broker.TestHost;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// Gateways and silos send their telemetry by OTLP over HTTP to the collector the standard OpenTelemetry variables
/// name: here a receiver of the test's own, which takes the protobuf export requests as a collector would. A silo,
/// which serves no HTTP, sends its metrics; a traced publish is a trace across both processes.
/// </summary>
public sealed partial class OtlpExportTests
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ASiloSendsItsMetricsToTheConfiguredCollector()
    {
        using var collector = new Collector();
        await using var cluster = await ClusterProcesses.CreateAsync();
        await using var silo = cluster.StartSilo(FreePort.Next(), FreePort.Next(), collector.Settings);
        await silo.WaitForLineAsync("listening");

        var metrics = await collector.WaitForAsync("/v1/metrics", body => body.Contains("broker-silo", StringComparison.Ordinal) && body.Contains("System.Runtime", StringComparison.Ordinal));

        Assert.Equal("application/x-protobuf", metrics.ContentType);
        Assert.Empty(silo.FailureLines);
    }

    [Fact]
    public async Task ATracedPublishIsATraceThroughTheGatewayTheInstanceAndTheDelivery()
    {
        using var collector = new Collector();
        await using var cluster = await ClusterProcesses.CreateAsync();
        await using var silo = cluster.StartSilo(FreePort.Next(), FreePort.Next(), collector.Settings);
        await silo.WaitForLineAsync("listening");
        var (mqttPort, httpPort) = (FreePort.Next(), FreePort.Next());
        await using var gateway = cluster.StartGateway(mqttPort, httpPort, collector.Settings);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        await ClusterProcesses.WaitForReadinessAsync([("of the test", gateway, http)], HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        await using var subscriber = await MqttTestClient.ConnectAsync("127.0.0.1", mqttPort, ClusterProcesses.Client());
        await subscriber.SubscribeAsync("traced/#");
        await using var publisher = await MqttTestClient.ConnectAsync("127.0.0.1", mqttPort, ClusterProcesses.Client());
        await publisher.PublishAsync("traced/message", "followed", MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.ReceiveAsync();

        // Protobuf keeps strings as they are: the services' names and the spans' names can be read in the bodies.
        foreach (var span in new[] { "publish batch", "deliver batch" })
        {
            await collector.WaitForAsync("/v1/traces", body => body.Contains("broker-gateway", StringComparison.Ordinal) && body.Contains(span, StringComparison.Ordinal));
        }

        await collector.WaitForAsync("/v1/traces", body => body.Contains("broker-silo", StringComparison.Ordinal) && body.Contains("IInstanceGrain/Publish", StringComparison.Ordinal));
        Assert.Empty(gateway.FailureLines);
        Assert.Empty(silo.FailureLines);
    }

    [GeneratedRegex(@"[^\x20-\x7e]+")]
    private static partial Regex Printable();

    /// <summary>An OTLP/HTTP receiver on a free loopback port that answers every export with 200 and keeps its bodies.</summary>
    private sealed class Collector : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<(string Path, string? ContentType, string Body)> _received = new();
        private readonly int _port = FreePort.Next();
        private readonly Task _receiving;

        public Collector()
        {
            _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
            _listener.Start();
            _receiving = Task.Run(ReceiveAsync);
        }

        /// <summary>What points a process at this collector, with every trace sampled and exports a second or less apart.</summary>
        public KeyValuePair<string, string>[] Settings =>
        [
            new("OTEL_EXPORTER_OTLP_ENDPOINT", $"http://127.0.0.1:{_port}"),
            new("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            new("OTEL_METRIC_EXPORT_INTERVAL", "500"),
            new("OTEL_BSP_SCHEDULE_DELAY", "200"),
            new("Broker:Tracing:SampleRatio", "1"),
        ];

        /// <summary>An export to <paramref name="path"/> whose body (as UTF-8) satisfies <paramref name="matches"/>, received or to come.</summary>
        public async Task<(string Path, string? ContentType, string Body)> WaitForAsync(string path, Func<string, bool> matches)
        {
            var deadline = DateTime.UtcNow + ExportTimeout;
            while (DateTime.UtcNow < deadline)
            {
                if (_received.FirstOrDefault(export => export.Path == path && matches(export.Body)) is { Path: not null } found)
                {
                    return found;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }

            var seen = string.Join("\n", _received.Where(export => export.Path == path).Select(export => Printable().Replace(export.Body, " ")));
            throw new TimeoutException($"no export to {path} as expected arrived within {ExportTimeout}; received:\n{seen}");
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
        }

        private async Task ReceiveAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                context.Response.StatusCode = 200;
                context.Response.Close();
                _received.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType, Encoding.UTF8.GetString(body.ToArray())));
            }
        }
    }
}
