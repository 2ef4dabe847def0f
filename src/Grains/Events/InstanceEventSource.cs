using System.Buffers;
using System.Text.Json;
using Broker.Grains.Instances;

namespace Broker.Grains.Events;

/// <summary>
/// The one source of an instance's events: every interaction (connections, subscriptions, publishes, errors,
/// actions) as a JSON object with an <c>id</c> and a <c>type</c>, published on <see cref="SystemTopics.Events"/>
/// to the connections that listen. Nothing is built while nobody listens, so an instance without listeners pays
/// one count check per interaction.
/// </summary>
internal sealed class InstanceEventSource(Guid epoch, Action<PublishedMessage, ConnectionAddress, bool> deliver)
{
    private readonly Dictionary<ConnectionAddress, bool> _listeners = [];
    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly uint _activation = BitConverter.ToUInt32(epoch.ToByteArray());
    private uint _sequence;

    public bool HasListeners => _listeners.Count > 0;

    /// <summary>Whether the connection listens to events, which shadows its other subscriptions.</summary>
    public bool IsListening(ConnectionAddress connection) => _listeners.Count > 0 && _listeners.ContainsKey(connection);

    public void Listen(ConnectionAddress connection, bool rootSlash) => _listeners[connection] = rootSlash;

    public void StopListening(ConnectionAddress connection) => _listeners.Remove(connection);

    public void Connected(ConnectionEntry connection)
    {
        if (!HasListeners)
        {
            return;
        }

        var json = Begin("connected", "connection");
        json.WriteString("id", connection.Id);
        json.WriteString("name", connection.ClientId);
        json.WriteBoolean("read_only", connection.ReadOnly);
        End(json);
    }

    public void Disconnected(ConnectionEntry connection)
    {
        if (!HasListeners)
        {
            return;
        }

        var json = Begin("disconnected", "disconnection");
        json.WriteString("id", connection.Id);
        json.WriteString("name", connection.ClientId);
        End(json);
    }

    public void Subscribed(ConnectionEntry connection, SubscriptionRequest subscription)
    {
        if (!HasListeners)
        {
            return;
        }

        var json = Begin("subscribed", "subscription");
        json.WriteString("topic", subscription.Filter);
        json.WriteNumber("qos", subscription.Qos);
        json.WriteBoolean("root_slash", subscription.RootSlash);
        json.WriteString("connection_id", connection.Id);
        End(json);
    }

    public void Unsubscribed(ConnectionEntry connection, string filter)
    {
        if (!HasListeners)
        {
            return;
        }

        var json = Begin("unsubscribed", "unsubscription");
        json.WriteString("topic", filter);
        json.WriteString("connection_id", connection.Id);
        End(json);
    }

    /// <summary>A message entered the instance; <paramref name="publisher"/> is null when no connection sent it (HTTP).</summary>
    public void Published(PublishedMessage message, ConnectionEntry? publisher)
    {
        if (!HasListeners)
        {
            return;
        }

        var json = Begin("published", "message");
        json.WriteString("topic", message.Topic);
        json.WriteBase64String("payload", message.Payload);
        json.WriteNumber("qos", message.Qos);
        json.WriteBoolean("retained", message.Retain);
        WriteConnectionId(json, publisher);
        End(json);
    }

    public void Errored(string code, string? topic, ConnectionEntry? connection)
    {
        if (!HasListeners)
        {
            return;
        }

        var json = Begin("errored", "error");
        json.WriteString("code", code);
        if (topic is null)
        {
            json.WriteNull("topic");
        }
        else
        {
            json.WriteString("topic", topic);
        }

        WriteConnectionId(json, connection);
        End(json);
    }

    public void Triggered(InstanceAction action, ConnectionEntry? actor)
    {
        if (!HasListeners)
        {
            return;
        }

        var json = Begin("triggered", "action");
        json.WriteString("type", action.Type);
        json.WriteString("target_id", action.TargetId);
        WriteConnectionId(json, actor);
        End(json);
    }

    private static void WriteConnectionId(Utf8JsonWriter json, ConnectionEntry? connection)
    {
        if (connection is null)
        {
            json.WriteNull("connection_id");
        }
        else
        {
            json.WriteString("connection_id", connection.Id);
        }
    }

    /// <summary>Starts an event: its id (time, activation, sequence: unique and ordered), its type and its object.</summary>
    private Utf8JsonWriter Begin(string type, string objectName)
    {
        _buffer.ResetWrittenCount();
        var json = new Utf8JsonWriter(_buffer);
        json.WriteStartObject();
        json.WriteString("id", $"{(uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds():x8}{_activation:x8}{++_sequence:x8}");
        json.WriteString("type", type);
        json.WriteStartObject(objectName);
        return json;
    }

    private void End(Utf8JsonWriter json)
    {
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        json.Dispose();
        var message = new PublishedMessage(SystemTopics.Events, _buffer.WrittenSpan.ToArray(), Qos: 0, Retain: false);
        foreach (var (connection, rootSlash) in _listeners)
        {
            deliver(message, connection, rootSlash);
        }
    }
}
