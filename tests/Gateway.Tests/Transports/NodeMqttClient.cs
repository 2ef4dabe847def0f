using System.Text.Json;
using System.Text.Json.Nodes;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Transports;

/// <summary>
/// MQTT.js in Node (js/mqtt-client.mjs) over WebSocket or secure WebSocket; over wss it trusts only the
/// gateway's development certificate. Commands go to the script's input and its events come back as JSON lines.
/// </summary>
public sealed class NodeMqttClient : ITransportClient
{
    private readonly NodeProcess _node;

    private NodeMqttClient(NodeProcess node) => _node = node;

    public static async Task<NodeMqttClient> ConnectAsync(TransportFixture broker, Transport transport, string path = "/mqtt")
    {
        string[] arguments = transport switch
        {
            Transport.WebSocket => [$"ws://{broker.Host}:{broker.HttpPort}{path}", TransportFixture.Instance, TransportFixture.Secret],
            Transport.SecureWebSocket => [$"wss://localhost:{broker.HttpsPort}{path}", TransportFixture.Instance, TransportFixture.Secret, broker.CertificatePath],
            _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "MQTT.js is used for WebSocket and secure WebSocket here"),
        };
        var client = new NodeMqttClient(NodeProcess.Start("mqtt-client.mjs", arguments));
        try
        {
            await client.ExpectAsync("connected");
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public async Task SubscribeAsync(string filter)
    {
        await SendAsync(new JsonObject { ["subscribe"] = filter, ["qos"] = 1 });
        var subscribed = await ExpectAsync("subscribed");
        Assert.Equal("[1]", subscribed["granted"]!.ToJsonString());
    }

    public async Task PublishAsync(string topic, string payload)
    {
        await SendAsync(new JsonObject { ["publish"] = topic, ["payload"] = payload, ["qos"] = 1 });
        await ExpectAsync("published");
    }

    public async Task<ReceivedMessage> ReceiveAsync()
    {
        var message = await ExpectAsync("message");
        return new ReceivedMessage(
            (string)message["topic"]!,
            (string)message["payload"]!,
            (MqttQualityOfServiceLevel)(int)message["qos"]!,
            (bool)message["retain"]!);
    }

    /// <summary>Ends the script: it disconnects cleanly when its input closes.</summary>
    public ValueTask DisposeAsync() => _node.DisposeAsync();

    private Task SendAsync(JsonObject command) => _node.WriteLineAsync(command.ToJsonString());

    /// <summary>The next event, which must be <paramref name="expected"/> (an error event fails the test with its message).</summary>
    private async Task<JsonObject> ExpectAsync(string expected)
    {
        var line = await _node.ReadLineAsync();
        var parsed = JsonNode.Parse(line)?.AsObject() ?? throw new JsonException($"not an event: {line}");
        Assert.True((string?)parsed["event"] == expected, $"expected '{expected}' from MQTT.js, got {line}");
        return parsed;
    }
}
