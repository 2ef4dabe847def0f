using System.Net;
using Broker.TestHost;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// Silos and gateways in cluster mode as processes of their own, with the instance the process tests use, and the
/// readiness probe an orchestrator would ask.
/// </summary>
internal static class ClusterProcesses
{
    public const string Instance = "demo";
    public const string Secret = "demo-secret";

    /// <summary>A client of the test instance with a client id of its own.</summary>
    public static MqttTestClientOptions Client() => new() { Instance = Instance, Secret = Secret, ClientId = TestNames.ClientId() };

    /// <summary>A silo on the given ports with the test instance; <paramref name="settings"/> are added.</summary>
    public static BrokerProcess StartSilo(int siloPort, int gatewayPort, IEnumerable<KeyValuePair<string, string>>? settings = null) =>
        BrokerProcess.Start("Silo", With(settings, new Dictionary<string, string>
        {
            ["Broker:Mode"] = "Cluster",
            ["Broker:Silo:Port"] = $"{siloPort}",
            ["Broker:Silo:GatewayPort"] = $"{gatewayPort}",
            [$"Broker:Instances:{Instance}:Tokens:0:Secret"] = Secret,
        }));

    /// <summary>A gateway for the silos' gateway port, with MQTT and HTTP and no TLS, retrying the cluster every 0.5 s.</summary>
    public static BrokerProcess StartGateway(int siloGatewayPort, int mqttPort, int httpPort, IEnumerable<KeyValuePair<string, string>>? settings = null) =>
        BrokerProcess.Start("Gateway", With(settings, new Dictionary<string, string>
        {
            ["Broker:Mode"] = "Cluster",
            ["Broker:Silo:GatewayPort"] = $"{siloGatewayPort}",
            ["Broker:Ports:Mqtt"] = $"{mqttPort}",
            ["Broker:Ports:Http"] = $"{httpPort}",
            ["Broker:Ports:MqttTls"] = "0",
            ["Broker:Ports:Https"] = "0",
            ["Broker:ClusterRetryPeriod"] = "00:00:00.500",
        }));

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
                while ((await http.GetAsync("/readyz", deadline.Token)).StatusCode != status)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
                }
            }
            catch (Exception exception) when (deadline.IsCancellationRequested || exception is HttpRequestException)
            {
                throw new TimeoutException(
                    $"/readyz of gateway {name} did not answer {status} within {timeout} (exited: {process.HasExited}); it wrote:\n{string.Join('\n', process.Lines)}",
                    exception);
            }
        }
    }

    private static Dictionary<string, string> With(IEnumerable<KeyValuePair<string, string>>? settings, Dictionary<string, string> defaults)
    {
        foreach (var (key, value) in settings ?? [])
        {
            defaults[key] = value;
        }

        return defaults;
    }
}
