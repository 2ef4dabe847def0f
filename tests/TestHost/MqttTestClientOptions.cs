using System.Security.Cryptography.X509Certificates;
using MQTTnet.Formatter;

namespace Broker.TestHost;

/// <summary>How a <see cref="MqttTestClient"/> connects; each setting defaults to what most tests want.</summary>
public sealed record MqttTestClientOptions
{
    /// <summary>The user name, which names the instance; null connects without credentials.</summary>
    public string? Instance { get; init; }

    /// <summary>The token's secret, sent as the password.</summary>
    public string? Secret { get; init; }

    /// <summary>The client id; null gives a unique one, so that tests sharing a broker never take over each other.</summary>
    public string? ClientId { get; init; }

    public MqttProtocolVersion ProtocolVersion { get; init; } = MqttProtocolVersion.V311;

    public Transport Transport { get; init; } = Transport.Tcp;

    /// <summary>
    /// Over TLS and secure WebSocket, the one certificate the client trusts, as <c>--cafile</c> does; null trusts
    /// the machine's store. The host connected to must be a name the certificate carries.
    /// </summary>
    public X509Certificate2? TrustedCertificate { get; init; }

    /// <summary>The path of the broker's WebSocket endpoint.</summary>
    public string WebSocketPath { get; init; } = "/mqtt";

    /// <summary>How long the client waits for the broker's answers (CONNACK, SUBACK, PUBACK).</summary>
    public TimeSpan Timeout { get; init; } = MqttTestClient.DefaultTimeout;

    /// <summary>A will at QoS 0, which the broker publishes when the connection ends uncleanly.</summary>
    public (string Topic, string Payload)? Will { get; init; }
}
