using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Broker.Grains.Hosting;

/// <summary>
/// How the processes of a cluster find each other: silos join through the membership table in the PostgreSQL
/// database <c>Broker:Database</c> names, under the cluster id <c>Broker:ClusterId</c>, and advertise the address
/// and ports of <c>Broker:Silo</c>; gateways, as Orleans clients, find the silos that accept clients in the same
/// table. (The development broker is one process and uses localhost clustering instead.)
/// </summary>
public static class ClusterMembership
{
    public const string DefaultClusterId = "broker";

    /// <summary>The name of Npgsql's ADO.NET provider, as Orleans' ADO.NET clustering knows it.</summary>
    private const string PostgreSqlInvariant = "Npgsql";

    public static ISiloBuilder UseClusterMembership(this ISiloBuilder silo, IConfiguration configuration)
    {
        var broker = configuration.GetSection("Broker");
        var database = RequiredDatabase(broker);
        var endpoints = SiloEndpoints.From(broker.GetSection("Silo"));
        silo.Configure<ClusterOptions>(cluster => Identify(cluster, broker));
        silo.UseAdoNetClustering(options =>
        {
            options.Invariant = PostgreSqlInvariant;
            options.ConnectionString = database;
        });
        silo.Configure<EndpointOptions>(options =>
        {
            options.AdvertisedIPAddress = endpoints.Address;
            options.SiloPort = endpoints.Port;
            options.GatewayPort = endpoints.GatewayPort;
            options.SiloListeningEndpoint = new IPEndPoint(endpoints.ListenAddress, endpoints.Port);
            options.GatewayListeningEndpoint = new IPEndPoint(endpoints.ListenAddress, endpoints.GatewayPort);
        });

        // The name the membership table and the silos' log lines show (a pod's name in Kubernetes); Orleans makes one up without it.
        if (broker["Silo:Name"] is { Length: > 0 } name)
        {
            silo.Configure<SiloOptions>(options => options.SiloName = name);
        }

        // How fast a dead silo is declared dead (and its grains activated elsewhere) is Orleans' to tune.
        silo.Configure<ClusterMembershipOptions>(broker.GetSection("Silo:Membership"));
        silo.Services.AddHostedService<ClusterMembershipLog>();
        return silo;
    }

    public static IClientBuilder UseClusterMembership(this IClientBuilder client, IConfiguration configuration)
    {
        var broker = configuration.GetSection("Broker");
        var database = RequiredDatabase(broker);
        client.Configure<ClusterOptions>(cluster => Identify(cluster, broker));
        client.UseAdoNetClustering(options =>
        {
            options.Invariant = PostgreSqlInvariant;
            options.ConnectionString = database;
        });

        // A silo that joined is used within this period; one that left is dropped as soon as its connection fails.
        client.Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = broker.GetValue("Silo:GatewayListRefreshPeriod", TimeSpan.FromSeconds(10)));
        return client;
    }

    /// <summary>Silos and clients of one cluster share a cluster id; the service id names the data, which outlives clusters.</summary>
    private static void Identify(ClusterOptions cluster, IConfigurationSection broker)
    {
        cluster.ClusterId = broker.GetValue("ClusterId", DefaultClusterId)!;
        cluster.ServiceId = DefaultClusterId;
    }

    private static string RequiredDatabase(IConfigurationSection broker) =>
        broker["Database"] is { Length: > 0 } database
            ? database
            : throw new InvalidOperationException(
                "Cluster mode needs a PostgreSQL database for its membership and state: set Broker:Database to an Npgsql connection string (e.g. Host=db;Username=broker;Password=...;Database=broker).");
}
