using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Broker.Gateway.Connections;

/// <summary>Kestrel's entry point for MQTT over TCP and over TLS (Kestrel has decrypted by then): it hands the connection's duplex pipe to an <see cref="MqttConnection"/>.</summary>
internal sealed class MqttConnectionHandler(ConnectionServices services) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        var transport = connection.Features.Get<ITlsHandshakeFeature>() is null ? "tcp" : "tls";
        var mqtt = new MqttConnection(services, connection.Transport, connection.RemoteEndPoint?.ToString() ?? "unknown", transport);
        return mqtt.RunAsync(connection.ConnectionClosed);
    }
}
