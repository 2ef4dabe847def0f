namespace Broker.Gateway.Transports;

/// <summary>The gateway's listeners, each on its own port under <c>Broker:Ports</c>.</summary>
public enum ListenerKind
{
    /// <summary>MQTT over TCP (<c>Broker:Ports:Mqtt</c>).</summary>
    Mqtt,

    /// <summary>MQTT over TLS (<c>Broker:Ports:MqttTls</c>).</summary>
    MqttTls,

    /// <summary>The HTTP interface and MQTT over WebSocket (<c>Broker:Ports:Http</c>).</summary>
    Http,

    /// <summary>The HTTP interface over HTTPS and MQTT over secure WebSocket (<c>Broker:Ports:Https</c>).</summary>
    Https,

    /// <summary>The Prometheus scrape endpoint <c>/metrics</c> and nothing else (<c>Broker:Ports:Metrics</c>).</summary>
    Metrics,
}
