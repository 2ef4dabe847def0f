using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Trace;

namespace Broker.Grains.Configuration;

/// <summary>
/// What gateways and silos share of their telemetry: whether an OTLP collector is configured (by the variables every
/// OpenTelemetry SDK reads, <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or a signal's own), and the traces of the publish path.
/// A gateway's publish batch is a span ("publish batch"), Orleans makes spans of the grain calls it leads to (the
/// instance's <c>Publish</c>, and its deliveries to the gateways) and carries the trace across processes, and the
/// receiving gateway's delivery is a span ("deliver batch"). Traces are sampled: <c>Broker:Tracing:SampleRatio</c>
/// of the publish batches (default 1%) start one, and what a traced call leads to follows its decision.
/// </summary>
public static class BrokerTelemetry
{
    public const string ActivitySourceName = "Broker";

    public static readonly ActivitySource Source = new(ActivitySourceName);

    public static bool IsOtlpConfigured(IConfiguration configuration, string signal) =>
        configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } || configuration[$"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"] is { Length: > 0 };

    /// <summary>Whether traces are exported; without a collector no span is made, and grain calls carry no trace context.</summary>
    public static bool IsTracing(IConfiguration configuration) => IsOtlpConfigured(configuration, "TRACES");

    public static TracerProviderBuilder AddBrokerTracing(this TracerProviderBuilder tracing, IConfiguration configuration) => tracing
        .AddSource(ActivitySourceName, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
        .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(configuration.GetValue("Broker:Tracing:SampleRatio", 0.01))))
        .AddOtlpExporter();
}
