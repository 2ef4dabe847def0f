using Broker.Gateway.Admin;
using Broker.Gateway.Connections;
using Broker.Gateway.Health;
using Broker.Gateway.Http;
using Broker.Gateway.Options;
using Broker.Gateway.Routing;
using Broker.Gateway.Telemetry;
using Broker.Gateway.Transports;
using Broker.Grains;
using Broker.Grains.Configuration;
using Broker.Grains.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Broker.Gateway.Hosting;

/// <summary>
/// Composes the gateway: Kestrel listeners, the MQTT connection engine, routing into the cluster, telemetry.
/// In development mode the process co-hosts a silo, so one command runs a whole cluster; in cluster mode it is
/// an Orleans client. A caller that registers its own <see cref="IClusterClient"/> (a test cluster) gets neither.
/// </summary>
public static partial class GatewayApplication
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);

        // The defaults come first, so that every configuration source can override them.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LoggingDefaults.Settings });
        configure?.Invoke(builder);

        var broker = builder.Configuration.GetSection("Broker");
        var options = broker.Get<GatewayOptions>() ?? new GatewayOptions();
        builder.Services.AddOptions<GatewayOptions>()
            .Bind(broker)
            .Validate(
                gateway => gateway.MaxPacketSize is > 0 and <= PublishedMessage.MaxSize,
                $"Broker:MaxPacketSize must be between 1 and {PublishedMessage.MaxSize} bytes, the largest message the cluster carries")
            .ValidateOnStart();
        builder.Services.AddOptions<LeaseOptions>().Bind(broker.GetSection("Lease"));
        builder.Services.AddOptions<AdminOptions>().Bind(broker.GetSection("Admin"));

        SiloPorts? movedSiloPorts = null;
        var ownsClient = false;
        if (!builder.Services.Any(service => service.ServiceType == typeof(IClusterClient)))
        {
            (movedSiloPorts, ownsClient) = AddCluster(builder, options.Mode);
        }

        builder.Services.AddSingleton<GatewayIdentity>();
        builder.Services.AddSingleton<BrokerMetrics>();
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<InstanceLinks>();
        builder.Services.AddSingleton<IInstanceDirectory>(services => services.GetRequiredService<InstanceLinks>());
        builder.Services.AddSingleton<ConnectionServices>();
        builder.Services.AddSingleton<InboxSubscription>();
        builder.Services.AddSingleton<GatewayInbox>();
        builder.Services.AddSingleton<ClusterReadiness>();
        builder.Services.AddSingleton<ConnectionDrain>();

        // The host waits for the drain (Kestrel for the connections to end), and a little longer for the rest.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.Drain.Timeout + TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ClusterConnection>(services, ownsClient));
        builder.Services.AddHostedService(services => services.GetRequiredService<ClusterConnection>());
        builder.Services.AddHostedService<KeepAliveMonitor>();
        builder.Services.AddHostedService<LeaseKeeper>();
        builder.Services.AddBrokerHealthChecks();

        // Ports are bound (and the certificate loaded) now, so that a taken port fails or moves before anything starts.
        var listeners = GatewayListeners.Open(
            options.Mode,
            options.Ports,
            broker.GetSection("Tls").Get<TlsOptions>() ?? new TlsOptions(),
            DataFolder.Resolve(broker["DataPath"]));
        builder.Services.AddSingleton(_ => listeners);
        builder.Services.AddGatewayTelemetry(builder.Configuration, prometheus: listeners.PortOf(ListenerKind.Metrics) > 0);
        builder.Services.Configure<SocketTransportOptions>(sockets => sockets.CreateBoundListenSocket = listeners.Sockets.CreateBoundListenSocket);
        builder.WebHost.ConfigureKestrel(listeners.Configure);

        var app = builder.Build();
        app.UseMetricsListener(listeners);
        app.UseWebSockets();
        app.UseMiddleware<MqttWebSocketMiddleware>();
        app.MapBrokerHttp();
        app.MapAdminApi();
        app.MapBrokerHealth();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GatewayApplication));
        listeners.LogOpened(logger);
        if (movedSiloPorts is { } moved)
        {
            LogSiloPortsMoved(logger, moved.Silo, moved.Gateway);
        }

        app.Lifetime.ApplicationStarted.Register(() => listeners.LogListening(logger));
        var drain = app.Services.GetRequiredService<ConnectionDrain>();
        app.Lifetime.ApplicationStopping.Register(() => _ = drain.RunAsync());
        return app;
    }

    /// <summary>
    /// Adds the co-hosted silo (development) or the cluster client. Returns the development silo's ports when
    /// the configured ones were in use and others were taken instead, and whether the gateway owns a client that
    /// <see cref="ClusterConnection"/> must connect.
    /// </summary>
    private static (SiloPorts? Moved, bool OwnsClient) AddCluster(WebApplicationBuilder builder, BrokerMode mode)
    {
        if (mode != BrokerMode.Development)
        {
            // Orleans connects its client while the host starts, which would hold the gateway back until a silo
            // answers; the cluster connection connects it in the background instead.
            var hostedBefore = builder.Services.Where(service => service.ServiceType == typeof(IHostedService)).ToList();
            builder.UseOrleansClient(client =>
            {
                client.UseClusterMembership(builder.Configuration).AddDeliveryStreams(builder.Configuration);
                if (BrokerTelemetry.IsTracing(builder.Configuration))
                {
                    client.AddActivityPropagation();
                }
            });
            foreach (var added in builder.Services.Where(service => service.ServiceType == typeof(IHostedService) && !hostedBefore.Contains(service)).ToList())
            {
                builder.Services.Remove(added);
            }

            builder.Services.AddSingleton<IClientConnectionRetryFilter, ClusterConnectionRetry>();
            return (null, true);
        }

        var silo = builder.Configuration.GetSection("Broker:Silo");
        var configured = new SiloPorts(silo.GetValue("Port", SiloEndpoints.DefaultPort), silo.GetValue("GatewayPort", SiloEndpoints.DefaultGatewayPort));
        var used = new SiloPorts(LoopbackPorts.NextFree(configured.Silo), LoopbackPorts.NextFree(configured.Gateway));
        builder.UseOrleans(orleans =>
        {
            orleans.UseLocalhostClustering(used.Silo, used.Gateway).AddBrokerGrains(builder.Configuration);
            if (BrokerTelemetry.IsTracing(builder.Configuration))
            {
                orleans.AddActivityPropagation();
            }
        });
        return (used == configured ? null : used, false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The development silo's configured ports are in use (another broker?); it uses {SiloPort} and {GatewayPort}")]
    private static partial void LogSiloPortsMoved(ILogger logger, int siloPort, int gatewayPort);

    /// <summary>A silo's silo-to-silo and client ports.</summary>
    private readonly record struct SiloPorts(int Silo, int Gateway);
}
