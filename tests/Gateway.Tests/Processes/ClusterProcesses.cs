using System.Net;
using Broker.TestHost;
using MQTTnet;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// A cluster of silos and gateways in cluster mode, each a process of its own on loopback, with a PostgreSQL database
/// of its own (membership, instance catalog, retained messages), the instance the process tests use, and the
/// readiness probe an orchestrator would ask. Silos declare a killed silo dead within a few seconds (Orleans' default
/// takes about fifteen).
/// </summary>
internal sealed class ClusterProcesses : IAsyncDisposable
{
    public const string Instance = "demo";
    public const string Secret = "demo-secret";

    private ClusterProcesses(PostgreSqlDatabase database) => Database = database;

    public PostgreSqlDatabase Database { get; }

    /// <summary>A cluster with a new database on <paramref name="server"/> (a connection string), by default the tests' server.</summary>
    public static async Task<ClusterProcesses> CreateAsync(string? server = null) => new(await PostgreSqlDatabase.CreateAsync(server));

    /// <summary>A client of the test instance with a client id of its own.</summary>
    public static MqttTestClientOptions Client() => new() { Instance = Instance, Secret = Secret, ClientId = TestNames.ClientId() };

    /// <summary>A silo on the given loopback ports with the test instance; <paramref name="settings"/> are added.</summary>
    public BrokerProcess StartSilo(int siloPort, int gatewayPort, IEnumerable<KeyValuePair<string, string>>? settings = null) =>
        BrokerProcess.Start("Silo", With(settings, new Dictionary<string, string>
        {
            ["Broker:Mode"] = "Cluster",
            ["Broker:Database"] = Database.ConnectionString,
            ["Broker:Silo:Address"] = "127.0.0.1",
            ["Broker:Silo:Port"] = $"{siloPort}",
            ["Broker:Silo:GatewayPort"] = $"{gatewayPort}",
            ["Broker:Silo:Membership:ProbeTimeout"] = "00:00:01",
            ["Broker:Silo:Membership:NumMissedProbesLimit"] = "2",
            [$"Broker:Instances:{Instance}:Tokens:0:Secret"] = Secret,
        }));

    /// <summary>A gateway with MQTT and HTTP and no TLS, finding the silos in the database, retrying the cluster every 0.5 s.</summary>
    public BrokerProcess StartGateway(int mqttPort, int httpPort, IEnumerable<KeyValuePair<string, string>>? settings = null) =>
        BrokerProcess.Start("Gateway", With(settings, new Dictionary<string, string>
        {
            ["Broker:Mode"] = "Cluster",
            ["Broker:Database"] = Database.ConnectionString,
            ["Broker:Silo:GatewayListRefreshPeriod"] = "00:00:01",
            ["Broker:Ports:Mqtt"] = $"{mqttPort}",
            ["Broker:Ports:Http"] = $"{httpPort}",
            ["Broker:Ports:MqttTls"] = "0",
            ["Broker:Ports:Https"] = "0",
            ["Broker:ClusterRetryPeriod"] = "00:00:00.500",
        }));

    /// <summary>
    /// A client connected as soon as the instance is served again after its only silo came back: for a moment after
    /// readiness answered, the gateway's cluster client may still find no silo connection ("No gateways available"),
    /// so a CONNECT that gets CONNACK 3 is tried again, within <paramref name="timeout"/>; any other refusal fails.
    /// </summary>
    public static async Task<MqttTestClient> ConnectWhenServedAsync(int mqttPort, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var (client, code) = await MqttTestClient.TryConnectAsync("127.0.0.1", mqttPort, Client());
            if (client is not null)
            {
                return client;
            }

            Assert.Equal(MqttClientConnectResultCode.ServerUnavailable, code);
            await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
        }
    }

    /// <summary>
    /// Asks every gateway's <c>/readyz</c> until it gives <paramref name="status"/>, all within <paramref name="timeout"/>;
    /// throws with the gateway's output when one does not.
    /// </summary>
    public static async Task WaitForReadinessAsync(IEnumerable<(string Name, BrokerProcess Process, HttpClient Http)> gateways, HttpStatusCode status, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        foreach (var (name, process, http) in gateways)
        {
            try
            {
                // Refused connections are retried too: a gateway just started may not listen yet.
                while (await StatusAsync(http, deadline.Token) != status)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
                }
            }
            catch (OperationCanceledException exception) when (deadline.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"/readyz of gateway {name} did not answer {status} within {timeout} (exited: {process.HasExited}); it wrote:\n{string.Join('\n', process.Lines)}",
                    exception);
            }
        }

        static async Task<HttpStatusCode?> StatusAsync(HttpClient http, CancellationToken cancellationToken)
        {
            try
            {
                return (await http.GetAsync("/readyz", cancellationToken)).StatusCode;
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();

    private static Dictionary<string, string> With(IEnumerable<KeyValuePair<string, string>>? settings, Dictionary<string, string> defaults)
    {
        foreach (var (key, value) in settings ?? [])
        {
            defaults[key] = value;
        }

        return defaults;
    }
}
