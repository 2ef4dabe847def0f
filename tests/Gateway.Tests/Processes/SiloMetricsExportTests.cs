using System.Net;
using System.Text;
using Broker.TestHost;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// A silo, which serves no HTTP, sends its metrics by OTLP over HTTP to the endpoint the standard OpenTelemetry
/// variables name: here a receiver of the test's own, which takes the protobuf export requests as a collector would.
/// </summary>
public sealed class SiloMetricsExportTests
{
    [Fact]
    public async Task ASiloSendsOrleansAndRuntimeMetricsToTheConfiguredOtlpEndpoint()
    {
        var receiverPort = FreePort.Next();
        using var receiver = new HttpListener();
        receiver.Prefixes.Add($"http://127.0.0.1:{receiverPort}/");
        receiver.Start();
        await using var cluster = await ClusterProcesses.CreateAsync();
        await using var silo = cluster.StartSilo(FreePort.Next(), FreePort.Next(), [
            new("OTEL_EXPORTER_OTLP_ENDPOINT", $"http://127.0.0.1:{receiverPort}"),
            new("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            new("OTEL_METRIC_EXPORT_INTERVAL", "500"),
        ]);
        await silo.WaitForLineAsync("listening");

        var context = await receiver.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(30));
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        context.Response.StatusCode = 200;
        context.Response.Close();

        Assert.Equal("POST", context.Request.HttpMethod);
        Assert.Equal("/v1/metrics", context.Request.Url!.AbsolutePath);
        Assert.Equal("application/x-protobuf", context.Request.ContentType);

        // Protobuf keeps strings as they are: the service name, and the meters' names as instrumentation scopes.
        var text = Encoding.UTF8.GetString(body.ToArray());
        Assert.Contains("broker-silo", text, StringComparison.Ordinal);
        Assert.Contains("System.Runtime", text, StringComparison.Ordinal);
        Assert.Empty(silo.FailureLines);
    }
}
