using Microsoft.AspNetCore.Connections;

namespace Broker.Gateway.Connections;

/// <summary>Kestrel's entry point for MQTT over TCP: it hands the connection's duplex pipe to an <see cref="MqttConnection"/>.</summary>
internal sealed class MqttConnectionHandler(ConnectionServices services) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        var mqtt = new MqttConnection(services, connection.Transport, connection.RemoteEndPoint?.ToString() ?? "unknown");
        return mqtt.RunAsync(connection.ConnectionClosed);
    }
}
