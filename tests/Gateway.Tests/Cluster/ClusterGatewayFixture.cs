using MQTTnet;
using Orleans.TestingHost;

namespace Broker.Gateway.Tests.Cluster;

/// <summary>
/// The gateway as a pure Orleans client: a two-silo in-process test cluster hosts the instance grains (cluster
/// mode, instances from the silos' configuration), and the real gateway, built in cluster mode on a free MQTT
/// port, is handed the test cluster's client instead of creating its own. A second gateway, with its own
/// identity and inbox stream, shares that client, so that tests can cross gateways.
/// </summary>
public sealed class ClusterGatewayFixture : IAsyncLifetime
{
    public const string Instance = "alpha";
    public const string Secret = "alpha-secret";
    public const string OtherInstance = "beta";
    public const string OtherSecret = "beta-secret";

    /// <summary>Instances the placement test pins to one silo each; nothing else uses them.</summary>
    public static readonly string[] PinnedInstances = ["east", "west"];

    public const string PinnedSecret = "pinned-secret";

    private ClusterHost? _cluster;
    private IServiceProvider? _gatewayServices;

    public int MqttPort { get; } = FreePort.Next();

    public int SecondMqttPort { get; } = FreePort.Next();

    public string Host => "127.0.0.1";

    public IServiceProvider GatewayServices => _gatewayServices ?? throw new InvalidOperationException("The gateway has not started.");

    public InProcessTestCluster Cluster => _cluster?.Cluster ?? throw new InvalidOperationException("The cluster has not started.");

    public async Task InitializeAsync()
    {
        var siloSettings = new Dictionary<string, string?>
        {
            [$"Broker:Instances:{Instance}:Tokens:0:Secret"] = Secret,
            [$"Broker:Instances:{OtherInstance}:Tokens:0:Secret"] = OtherSecret,
        };
        foreach (var pinned in PinnedInstances)
        {
            siloSettings[$"Broker:Instances:{pinned}:Tokens:0:Secret"] = PinnedSecret;
        }

        _cluster = await ClusterHost.StartAsync(2, siloSettings);
        _gatewayServices = (await _cluster.StartGatewayAsync(new ListenerPorts(Mqtt: MqttPort))).Services;
        await _cluster.StartGatewayAsync(new ListenerPorts(Mqtt: SecondMqttPort));
    }

    /// <summary>An MQTTnet client connected to the first gateway, or to the one on <paramref name="port"/>.</summary>
    public Task<MqttTestClient> ConnectAsync(
        string instance,
        string secret,
        int? port = null,
        string? clientId = null,
        (string Topic, string Payload)? will = null) =>
        MqttTestClient.ConnectAsync(Host, port ?? MqttPort, new MqttTestClientOptions { Instance = instance, Secret = secret, ClientId = clientId, Will = will });

    /// <summary>A client of the first gateway, or none and the gateway's refusal.</summary>
    public Task<(MqttTestClient? Client, MqttClientConnectResultCode Code)> TryConnectAsync(string? instance, string? secret) =>
        MqttTestClient.TryConnectAsync(Host, MqttPort, new MqttTestClientOptions { Instance = instance, Secret = secret });

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
