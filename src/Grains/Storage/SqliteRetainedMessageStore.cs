using Microsoft.Data.Sqlite;

namespace Broker.Grains.Storage;

/// <summary>
/// Retained messages in the development broker's SQLite database, a row per instance and topic. SQLite's calls
/// block, so they run off the grain's thread; one batch's changes are one transaction, committed to disk before
/// <see cref="SaveAsync"/> returns.
/// </summary>
internal sealed class SqliteRetainedMessageStore(SqliteDatabase database) : IRetainedMessageStore
{
    public Task<IReadOnlyList<PublishedMessage>> LoadAsync(string instance) => Task.Run<IReadOnlyList<PublishedMessage>>(() =>
    {
        using var connection = database.Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT topic, payload, qos FROM broker_retained WHERE instance = $instance;";
        command.Parameters.AddWithValue("$instance", instance);
        using var reader = command.ExecuteReader();
        var messages = new List<PublishedMessage>();
        while (reader.Read())
        {
            messages.Add(new PublishedMessage(reader.GetString(0), (byte[])reader.GetValue(1), (byte)reader.GetInt32(2), Retain: true));
        }

        return messages;
    });

    public Task SaveAsync(string instance, IReadOnlyList<PublishedMessage> changes) => changes.Count == 0 ? Task.CompletedTask : Task.Run(() =>
    {
        using var connection = database.Connect();
        using var transaction = connection.BeginTransaction();
        using var upsert = Command(
            connection,
            transaction,
            """
            INSERT INTO broker_retained (instance, topic, payload, qos) VALUES ($instance, $topic, $payload, $qos)
            ON CONFLICT (instance, topic) DO UPDATE SET payload = excluded.payload, qos = excluded.qos;
            """,
            "$instance",
            "$topic",
            "$payload",
            "$qos");
        using var delete = Command(connection, transaction, "DELETE FROM broker_retained WHERE instance = $instance AND topic = $topic;", "$instance", "$topic");
        foreach (var message in changes)
        {
            var command = message.Payload.Length == 0 ? delete : upsert;
            command.Parameters["$instance"].Value = instance;
            command.Parameters["$topic"].Value = message.Topic;
            if (command == upsert)
            {
                upsert.Parameters["$payload"].Value = message.Payload;
                upsert.Parameters["$qos"].Value = (int)message.Qos;
            }

            command.ExecuteNonQuery();
        }

        transaction.Commit();
    });

    public Task DeleteAsync(string instance) => Task.Run(() =>
    {
        using var connection = database.Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM broker_retained WHERE instance = $instance;";
        command.Parameters.AddWithValue("$instance", instance);
        command.ExecuteNonQuery();
    });

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }
}
