using Broker.Grains.Configuration;

namespace Broker.Gateway.Options;

/// <summary>
/// The listeners' ports (section <c>Broker:Ports</c>); 0 switches a listener off, and an unset port takes its
/// mode's default. Development defaults stay above 1024 so that the desktop broker runs without privileges;
/// cluster defaults are the well-known ports a hosted broker serves (WebSocket on 80, secure WebSocket on 443).
/// </summary>
public sealed class PortOptions
{
    /// <summary>MQTT over TCP (default 1883).</summary>
    public int? Mqtt { get; set; }

    /// <summary>MQTT over TLS (default 8883).</summary>
    public int? MqttTls { get; set; }

    /// <summary>The HTTP interface and MQTT over WebSocket (default 1884 in development, 80 in a cluster).</summary>
    public int? Http { get; set; }

    /// <summary>The HTTP interface over HTTPS and MQTT over secure WebSocket (default 8884 in development, 443 in a cluster).</summary>
    public int? Https { get; set; }

    /// <summary>The Prometheus scrape endpoint, on a port of its own so that it stays off the public listeners (default off).</summary>
    public int? Metrics { get; set; }

    public int MqttOrDefault => Mqtt ?? 1883;

    public int MqttTlsOrDefault => MqttTls ?? 8883;

    public int HttpOrDefault(BrokerMode mode) => Http ?? (mode == BrokerMode.Development ? 1884 : 80);

    public int HttpsOrDefault(BrokerMode mode) => Https ?? (mode == BrokerMode.Development ? 8884 : 443);
}
