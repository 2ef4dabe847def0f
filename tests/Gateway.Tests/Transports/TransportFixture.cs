using System.Security.Cryptography.X509Certificates;
using Broker.Gateway.Transports;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Gateway.Tests.Transports;

/// <summary>
/// The real gateway in development mode with all four listeners on free ports and a data folder of its own, so
/// that it makes a fresh development certificate that the tests' clients then trust. Shared by the
/// <see cref="TransportCollection"/>.
/// </summary>
public sealed class TransportFixture : IAsyncLifetime
{
    public const string Instance = "alpha";
    public const string Secret = "alpha-secret";

    private DevelopmentGateway? _gateway;

    public string Host => "127.0.0.1";

    public int MqttPort => Port(ListenerKind.Mqtt);

    public int MqttTlsPort => Port(ListenerKind.MqttTls);

    public int HttpPort => Port(ListenerKind.Http);

    public int HttpsPort => Port(ListenerKind.Https);

    /// <summary>The development certificate's PEM file, as a client is told to trust it.</summary>
    public string CertificatePath => Listeners.Certificate!.Path;

    public X509Certificate2 Certificate => Listeners.Certificate!.Certificate;

    internal GatewayListeners Listeners => Started.Services.GetRequiredService<GatewayListeners>();

    private DevelopmentGateway Started => _gateway ?? throw new InvalidOperationException("The gateway has not started.");

    public async Task InitializeAsync() => _gateway = await DevelopmentGateway.StartAsync(
        ListenerPorts.AllFree(),
        new Dictionary<string, string?> { [$"Broker:Instances:{Instance}:Tokens:0:Secret"] = Secret });

    /// <summary>
    /// An MQTTnet client with the suite's token over <paramref name="transport"/>; over TLS and secure WebSocket it
    /// trusts only the development certificate.
    /// </summary>
    public async Task<ITransportClient> ConnectMqttNetAsync(Transport transport)
    {
        var options = new MqttTestClientOptions
        {
            Instance = Instance,
            Secret = Secret,
            ClientId = TestNames.ClientId(transport.ToString().ToLowerInvariant()),
            Transport = transport,
            TrustedCertificate = Certificate,
        };
        return transport switch
        {
            Transport.Tcp => await MqttTestClient.ConnectAsync(Host, MqttPort, options),
            Transport.Tls => await MqttTestClient.ConnectAsync("localhost", MqttTlsPort, options),
            Transport.WebSocket => await MqttTestClient.ConnectAsync(Host, HttpPort, options),
            Transport.SecureWebSocket => await MqttTestClient.ConnectAsync("localhost", HttpsPort, options),
            _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "not a transport the gateway offers"),
        };
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }

    private int Port(ListenerKind listener) => Listeners.PortOf(listener);
}

[CollectionDefinition(Name)]
public sealed class TransportCollection : ICollectionFixture<TransportFixture>
{
    public const string Name = "Transports";
}
