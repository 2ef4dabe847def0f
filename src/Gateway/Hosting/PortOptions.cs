namespace Broker.Gateway.Hosting;

public sealed class PortOptions
{
    /// <summary>MQTT over TCP; 0 switches the listener off.</summary>
    public int Mqtt { get; set; } = 1883;

    /// <summary>The HTTP interface (later shared with MQTT over WebSocket); 0 switches the listener off.</summary>
    public int Http { get; set; } = 1884;
}
