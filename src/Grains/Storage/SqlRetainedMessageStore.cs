using System.Data.Common;

namespace Broker.Grains.Storage;

/// <summary>
/// Retained messages in the broker's database, a row per instance and topic. One batch's changes are one
/// transaction, committed (to disk, on both providers) before <see cref="SaveAsync"/> returns.
/// </summary>
internal sealed class SqlRetainedMessageStore(BrokerDatabase database) : IRetainedMessageStore
{
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
        await using var upsert = Command(
            connection,
            transaction,
            """
            INSERT INTO broker_retained (instance, topic, payload, qos) VALUES (@instance, @topic, @payload, @qos)
            ON CONFLICT (instance, topic) DO UPDATE SET payload = excluded.payload, qos = excluded.qos;
            """);
        upsert.AddParameter("@instance", instance);
        var (upsertTopic, payload, qos) = (upsert.AddParameter("@topic", null), upsert.AddParameter("@payload", null), upsert.AddParameter("@qos", null));
        await using var delete = Command(connection, transaction, "DELETE FROM broker_retained WHERE instance = @instance AND topic = @topic;");
        delete.AddParameter("@instance", instance);
        var deleteTopic = delete.AddParameter("@topic", null);
        foreach (var message in changes)
        {
            if (message.Payload.Length == 0)
            {
                deleteTopic.Value = message.Topic;
                await delete.ExecuteNonQueryAsync();
                continue;
            }

            upsertTopic.Value = message.Topic;
            payload.Value = message.Payload;
            qos.Value = (int)message.Qos;
            await upsert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    });

    public Task DeleteAsync(string instance) => database.RunAsync(async connection =>
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM broker_retained WHERE instance = @instance;";
        command.AddParameter("@instance", instance);
        await command.ExecuteNonQueryAsync();
    });

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}
