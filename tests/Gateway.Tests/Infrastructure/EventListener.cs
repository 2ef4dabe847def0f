using System.Text.Json;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Infrastructure;

/// <summary>
/// An MQTTnet client subscribed to <c>$events</c> of the events instance, reading events as JSON. Tests pick the
/// events about their own connections, so an event left over from an earlier test cannot confuse them.
/// </summary>
public sealed class EventListener : IAsyncDisposable
{
    private EventListener(MqttTestClient client) => Client = client;

    public MqttTestClient Client { get; }

    public static async Task<EventListener> StartAsync(BrokerFixture broker, string secret = BrokerFixture.EventsSecret)
    {
        var client = await broker.ConnectAsync(BrokerFixture.EventsInstance, secret);
        await client.SubscribeAsync("$events", MqttQualityOfServiceLevel.AtMostOnce);
        return new EventListener(client);
    }

    /// <summary>The next event for which <paramref name="match"/> holds; every message received must be an event.</summary>
    public async Task<JsonElement> NextAsync(Func<JsonElement, bool> match)
    {
        while (true)
        {
            var message = await Client.ReceiveAsync();
            Assert.Equal("$events", message.Topic);
            using var document = JsonDocument.Parse(message.Payload);
            var root = document.RootElement.Clone();
            if (match(root))
            {
                return root;
            }
        }
    }

    /// <summary>The next event of <paramref name="type"/> whose object has <paramref name="field"/> = <paramref name="value"/>.</summary>
    public Task<JsonElement> NextAsync(string type, string field, string value) =>
        NextAsync(root => root.GetProperty("type").GetString() == type && Body(root).TryGetProperty(field, out var actual)
            && actual.ValueKind == JsonValueKind.String && actual.GetString() == value);

    /// <summary>The id of the connection named <paramref name="clientId"/>, from its <c>connected</c> event.</summary>
    public async Task<string> ConnectionIdAsync(string clientId)
    {
        var connected = await NextAsync("connected", "name", clientId);
        return Body(connected).GetProperty("id").GetString()!;
    }

    /// <summary>The object an event carries besides its id and type (e.g. <c>connection</c>, <c>message</c>).</summary>
    public static JsonElement Body(JsonElement root) =>
        root.EnumerateObject().Single(property => property.Name is not "id" and not "type").Value;

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
