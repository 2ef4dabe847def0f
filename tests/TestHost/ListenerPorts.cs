namespace Broker.TestHost;

/// <summary>The ports of a gateway's four listeners, as <c>Broker:Ports</c> takes them; 0 switches a listener off.</summary>
public sealed record ListenerPorts(int Mqtt = 0, int MqttTls = 0, int Http = 0, int Https = 0)
{
    /// <summary>Every listener on a port of its own that was free a moment ago.</summary>
    public static ListenerPorts AllFree() => new(FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next());

    internal Dictionary<string, string?> Settings() => new()
    {
        ["Broker:Ports:Mqtt"] = Mqtt.ToString(),
        ["Broker:Ports:MqttTls"] = MqttTls.ToString(),
        ["Broker:Ports:Http"] = Http.ToString(),
        ["Broker:Ports:Https"] = Https.ToString(),
    };
}
