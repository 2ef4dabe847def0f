using System.Text.Json;
using Broker.Grains.Instances;
using Broker.Grains.Topics;

namespace Broker.Grains.Events;

/// <summary>
/// Writes the <see cref="SystemTopics.Info"/> description of an instance: exact counts, message totals and rates,
/// and lists of connections, subscriptions and retained messages of at most <see cref="MaxListed"/> entries each.
/// </summary>
internal static class InstanceInfoWriter
{
    public const int MaxListed = 500;

    public static byte[] Write(
        string instance,
        IReadOnlyCollection<ConnectionEntry> connections,
        RetainedMessageStore<PublishedMessage> retained,
        MessageRates rates,
        long nowMilliseconds)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("name", instance);

            json.WriteStartObject("counts");
            json.WriteNumber("connections", connections.Count);
            json.WriteNumber("subscriptions", connections.Sum(connection => connection.Subscriptions.Count));
            json.WriteNumber("retained", retained.Count);
            json.WriteEndObject();

            var (published, delivered) = rates.PerSecond(nowMilliseconds);
            json.WriteStartObject("messages");
            json.WriteNumber("published", rates.TotalPublished);
            json.WriteNumber("delivered", rates.TotalDelivered);
            json.WriteNumber("published_per_second", published);
            json.WriteNumber("delivered_per_second", delivered);
            json.WriteEndObject();

            json.WriteStartArray("connections");
            foreach (var connection in connections.Take(MaxListed))
            {
                json.WriteStartObject();
                json.WriteString("id", connection.Id);
                json.WriteString("name", connection.ClientId);
                json.WriteBoolean("read_only", connection.ReadOnly);
                json.WriteEndObject();
            }

            json.WriteEndArray();

            json.WriteStartArray("subscriptions");
            var subscriptions = connections
                .SelectMany(connection => connection.Subscriptions.Select(subscription => (connection.Id, subscription.Key, subscription.Value)))
                .Take(MaxListed);
            foreach (var (connectionId, filter, grant) in subscriptions)
            {
                json.WriteStartObject();
                json.WriteString("topic", filter);
                json.WriteNumber("qos", SubscriptionGrant.Qos(grant));
                json.WriteBoolean("root_slash", SubscriptionGrant.RootSlash(grant));
                json.WriteString("connection_id", connectionId);
                json.WriteEndObject();
            }

            json.WriteEndArray();

            json.WriteStartArray("retained");
            var messages = new List<PublishedMessage>();
            retained.Collect(messages, MaxListed);
            foreach (var message in messages)
            {
                json.WriteStartObject();
                json.WriteString("topic", message.Topic);
                json.WriteNumber("qos", message.Qos);
                json.WriteNumber("size", message.Payload.Length);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }
}
