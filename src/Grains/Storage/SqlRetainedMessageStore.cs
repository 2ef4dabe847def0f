
namespace Broker.Grains.Storage;

/// <summary>
/// Retained messages in the broker's database, a row per instance and topic. One batch's changes are one
/// transaction, sent to PostgreSQL in one round trip, and committed (to disk, on both providers) before
/// <see cref="SaveAsync"/> returns.
/// </summary>
internal sealed class SqlRetainedMessageStore(BrokerDatabase database) : IRetainedMessageStore
{
    private const string Upsert = """
        INSERT INTO broker_retained (instance, topic, payload, qos) VALUES (@instance, @topic, @payload, @qos)
        ON CONFLICT (instance, topic) DO UPDATE SET payload = excluded.payload, qos = excluded.qos;
        """;

    private const string Delete = "DELETE FROM broker_retained WHERE instance = @instance AND topic = @topic;";

    public Task<IReadOnlyList<PublishedMessage>> LoadAsync(string instance) => database.RunAsync<IReadOnlyList<PublishedMessage>>(async connection =>
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT topic, payload, qos FROM broker_retained WHERE instance = @instance;";
        command.AddParameter("@instance", instance);
        await using var reader = await command.ExecuteReaderAsync();
        var messages = new List<PublishedMessage>();
        while (await reader.ReadAsync())
        {
            messages.Add(new PublishedMessage(reader.GetString(0), (byte[])reader.GetValue(1), (byte)reader.GetInt32(2), Retain: true));
        }

        return messages;
    });

    public Task SaveAsync(string instance, IReadOnlyList<PublishedMessage> changes) => changes.Count == 0 ? Task.CompletedTask : database.RunAsync(async connection =>
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(transaction, changes.Select(message => message.Payload.Length == 0
            ? new SqlStatement(Delete, ("@instance", instance), ("@topic", message.Topic))
            : new SqlStatement(Upsert, ("@instance", instance), ("@topic", message.Topic), ("@payload", message.Payload), ("@qos", (int)message.Qos))));
        await transaction.CommitAsync();
    });

    public Task DeleteAsync(string instance) => database.RunAsync(async connection =>
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM broker_retained WHERE instance = @instance;";
        command.AddParameter("@instance", instance);
        await command.ExecuteNonQueryAsync();
    });
}
