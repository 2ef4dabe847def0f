namespace Broker.Gateway.Tests.Transports;

/// <summary>How a test client ends its TLS connection.</summary>
public enum TlsClose
{
    /// <summary>The TCP connection closes, without TLS close_notify or MQTT DISCONNECT.</summary>
    Fin,

    /// <summary>TLS close_notify, then the TCP connection closes.</summary>
    CloseNotifyThenFin,

    /// <summary>MQTT DISCONNECT, then the TCP connection closes, as mosquitto_pub does.</summary>
    DisconnectThenFin,
}
