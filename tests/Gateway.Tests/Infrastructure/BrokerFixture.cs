namespace Broker.Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway in development mode (co-hosting its silo), listening for MQTT and HTTP on free ports, with the
/// instances the tests use and the admin API. Shared by the tests of the <see cref="BrokerCollection"/>.
/// </summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    public const string Instance = "alpha";
    public const string Secret = "alpha-secret";
    public const string ReadOnlySecret = "alpha-read";
    public const string OtherInstance = "beta";
    public const string OtherSecret = "beta-secret";

    /// <summary>An instance only the system topic tests use, so that its event stream holds only their interactions.</summary>
    public const string EventsInstance = "gamma";
    public const string EventsSecret = "gamma-secret";
    public const string EventsReadOnlySecret = "gamma-read";

    /// <summary>The admin API's bearer key.</summary>
    public const string AdminKey = "admin-key-for-tests";

    private DevelopmentGateway? _gateway;

    /// <summary>MQTT and HTTP on ports of their own, without the TLS listeners.</summary>
    public ListenerPorts Ports { get; } = new(Mqtt: FreePort.Next(), Http: FreePort.Next());

    public int MqttPort => Ports.Mqtt;

    public int HttpPort => Ports.Http;

    public string Host => "127.0.0.1";

    /// <summary>The gateway's services, for tests that check what it keeps.</summary>
    public IServiceProvider Services => _gateway!.Services;

    public async Task InitializeAsync() => _gateway = await DevelopmentGateway.StartAsync(Ports, new Dictionary<string, string?>
    {
        [$"Broker:Instances:{Instance}:Tokens:0:Secret"] = Secret,
        [$"Broker:Instances:{Instance}:Tokens:1:Secret"] = ReadOnlySecret,
        [$"Broker:Instances:{Instance}:Tokens:1:ReadOnly"] = "true",
        [$"Broker:Instances:{OtherInstance}:Tokens:0:Secret"] = OtherSecret,
        [$"Broker:Instances:{EventsInstance}:Tokens:0:Secret"] = EventsSecret,
        [$"Broker:Instances:{EventsInstance}:Tokens:1:Secret"] = EventsReadOnlySecret,
        [$"Broker:Instances:{EventsInstance}:Tokens:1:ReadOnly"] = "true",
        ["Broker:Admin:Key"] = AdminKey,
    });

    /// <summary>An MQTTnet client connected over TCP, by default with the full-access token; a null instance sends no credentials.</summary>
    public Task<MqttTestClient> ConnectAsync(string? instance = Instance, string? secret = Secret, string? clientId = null) =>
        MqttTestClient.ConnectAsync(Host, MqttPort, new MqttTestClientOptions { Instance = instance, Secret = secret, ClientId = clientId });

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrokerCollection : ICollectionFixture<BrokerFixture>
{
    public const string Name = "Broker";
}
