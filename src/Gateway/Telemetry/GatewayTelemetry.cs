using Broker.Gateway.Transports;
using Broker.Grains.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Broker.Gateway.Telemetry;

/// <summary>
/// The gateway's metrics through OpenTelemetry: the broker's own meter, Orleans', Kestrel's and the .NET runtime's.
/// They are exported by OTLP when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or its metrics variant) is set, with
/// the publish path's traces (<see cref="BrokerTelemetry"/>),
/// and offered for Prometheus to scrape on <c>/metrics</c> of the metrics listener (<c>Broker:Ports:Metrics</c>),
/// which serves nothing else; the public listeners do not serve it. No instance name, client id or topic is an attribute.
/// </summary>
internal static class GatewayTelemetry
{
    public const string ScrapePath = "/metrics";

    public static readonly string[] Meters = [BrokerMetrics.MeterName, "Microsoft.Orleans", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime"];

    public static void AddGatewayTelemetry(this IServiceCollection services, IConfiguration configuration, bool prometheus)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("broker-gateway"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters);
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }

                if (BrokerTelemetry.IsOtlpConfigured(configuration, "METRICS"))
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (BrokerTelemetry.IsTracing(configuration))
        {
            telemetry.WithTracing(tracing => tracing.AddBrokerTracing(configuration));
        }
    }

    /// <summary>Serves the scrape endpoint on the metrics listener, and keeps each side to its own: 404 for anything else.</summary>
    public static void UseMetricsListener(this WebApplication app, GatewayListeners listeners)
    {
        var port = listeners.PortOf(ListenerKind.Metrics);
        if (port == 0)
        {
            return;
        }

        app.Use((context, next) =>
        {
            if ((context.Connection.LocalPort == port) == (context.Request.Path == ScrapePath))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        app.MapPrometheusScrapingEndpoint(ScrapePath);
    }
}
