namespace Broker.TestHost;

/// <summary>The ways a client reaches the gateway.</summary>
public enum Transport
{
    Tcp,
    Tls,
    WebSocket,
    SecureWebSocket,
}
