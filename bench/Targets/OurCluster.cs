using System.Net;

namespace Broker.Bench.Targets;

/// <summary>
/// Starts this repository's broker as a cluster on one PostgreSQL database: N silos (src/Silo) with the instances
/// <c>bench0</c>, <c>bench1</c>, ... configured, each with one token, and M gateways (src/Gateway) that find the
/// silos in the database, every process in cluster mode on free loopback ports and logging warnings and errors only.
/// The silos start together and all are up before any gateway starts, so that each gateway sees every silo from
/// the first; the cluster is returned once every gateway's <c>/readyz</c> answers 200. Disposing stops the
/// gateways, then the silos.
/// </summary>
public static class OurCluster
{
    /// <summary>The token secret of every bench instance: the cluster lives only as long as the run.</summary>
    public const string Secret = "bench-secret";

    /// <summary>What a silo writes once it has joined the cluster and serves gateways.</summary>
    private const string SiloStartedLine = "listening";

    public static async Task<RunningBroker> StartAsync(
        string? repositoryRoot, ClusterLayout layout, string database, CancellationToken cancellationToken, string configuration = OurBroker.Configuration)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var root = OurBroker.RepositoryRoot(repositoryRoot);
        var silo = await OurBroker.AssemblyAsync(root, "Silo", configuration, cancellationToken);
        var gateway = await OurBroker.AssemblyAsync(root, "Gateway", configuration, cancellationToken);
        var instances = Enumerable.Range(0, layout.Instances).Select(OurBroker.InstanceName).ToArray();
        var started = new List<BrokerProcess>();
        try
        {
            var silos = Enumerable.Range(0, layout.Silos)
                .Select(i => BrokerProcess.Start($"silo{i}", "dotnet", SiloArguments(silo, database, instances), SiloStartedLine))
                .ToList();
            started.AddRange(silos);
            await Task.WhenAll(silos.Select(process => process.WaitForStartedLineAsync(cancellationToken)));

            var ports = Enumerable.Range(0, layout.Gateways).Select(_ => (Mqtt: FreePort.Next(), Http: FreePort.Next())).ToList();
            var gateways = ports
                .Select((port, i) => BrokerProcess.Start($"gateway{i}", "dotnet", GatewayArguments(gateway, database, port.Mqtt, port.Http)))
                .ToList();
            started.AddRange(gateways);
            await Task.WhenAll(gateways.Select((process, i) => process.WaitForReadinessAsync(ports[i].Http, cancellationToken)));

            var endpoint = new BrokerEndpoint(
                layout.Name,
                [.. ports.Select(port => new IPEndPoint(IPAddress.Loopback, port.Mqtt))],
                [.. started.Select(process => process.Id)],
                [.. instances.Select(instance => new BrokerCredentials(instance, Secret))]);
            return new RunningBroker(endpoint, [.. gateways, .. silos]);
        }
        catch
        {
            started.Reverse();
            await RunningBroker.StopAsync(started);
            throw;
        }
    }

    private static IEnumerable<string> SiloArguments(string assembly, string database, IEnumerable<string> instances) =>
    [
        assembly,
        "--Broker:Mode=Cluster",
        $"--Broker:Database={database}",
        "--Broker:Silo:Address=127.0.0.1",
        $"--Broker:Silo:Port={FreePort.Next()}",
        $"--Broker:Silo:GatewayPort={FreePort.Next()}",
        .. instances.Select(instance => $"--Broker:Instances:{instance}:Tokens:0:Secret={Secret}"),
        "--Logging:LogLevel:Default=Warning",

        // The silo's own category stays at Information for its started line (and its joins and leaves).
        "--Logging:LogLevel:Broker.Silo=Information",
    ];

    private static IEnumerable<string> GatewayArguments(string assembly, string database, int mqttPort, int httpPort) =>
    [
        assembly,
        "--Broker:Mode=Cluster",
        $"--Broker:Database={database}",
        $"--Broker:Ports:Mqtt={mqttPort}",
        $"--Broker:Ports:Http={httpPort}",
        "--Broker:Ports:MqttTls=0",
        "--Broker:Ports:Https=0",
        "--Logging:LogLevel:Default=Warning",
    ];
}
