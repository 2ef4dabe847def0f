using Broker.Grains.Configuration;
using Broker.Grains.Hosting;
using Broker.Grains.Instances;
using Broker.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

// A silo on its own (production role "silo"): it hosts the instance grains; gateways join it as Orleans clients.
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LoggingDefaults.Settings });
var mode = builder.Configuration.GetValue("Broker:Mode", BrokerMode.Development);
var silo = builder.Configuration.GetSection("Broker:Silo");
var (siloPort, gatewayPort) = (silo.GetValue("Port", SiloEndpoints.DefaultPort), silo.GetValue("GatewayPort", SiloEndpoints.DefaultGatewayPort));
builder.UseOrleans(orleans =>
{
    // A cluster's silos find each other in its database; a development silo is alone on this machine.
    if (mode == BrokerMode.Cluster)
    {
        orleans.UseClusterMembership(builder.Configuration);
    }
    else
    {
        orleans.UseLocalhostClustering(siloPort, gatewayPort);
    }

    orleans.AddBrokerGrains(builder.Configuration);
    if (BrokerTelemetry.IsTracing(builder.Configuration))
    {
        orleans.AddActivityPropagation();
    }
});

// A silo serves no HTTP: its metrics (its instances', Orleans' and the runtime's) and its part of the publish path's
// traces go out by OTLP, when an endpoint is configured by the variables every OpenTelemetry SDK reads.
var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("broker-silo"));
if (BrokerTelemetry.IsOtlpConfigured(builder.Configuration, "METRICS"))
{
    telemetry.WithMetrics(metrics => metrics.AddMeter(InstanceMetrics.MeterName, "Microsoft.Orleans", "System.Runtime").AddOtlpExporter());
}

if (BrokerTelemetry.IsTracing(builder.Configuration))
{
    telemetry.WithTracing(tracing => tracing.AddBrokerTracing(builder.Configuration));
}

var host = builder.Build();

var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Broker.Silo");
lifetime.ApplicationStarted.Register(() => SiloLog.Listening(logger, mode, siloPort, gatewayPort));

// Read before the host is gone: running disposes it, and with it the lifetime.
var stopRequested = false;
lifetime.ApplicationStopping.Register(() => stopRequested = true);
try
{
    await host.RunAsync();
}
catch (OperationCanceledException) when (stopRequested)
{
    // Stopped (SIGTERM, Ctrl+C) while still starting: an ordinary end, not a crash.
}
