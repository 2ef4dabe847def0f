using System.Data.Common;

namespace Broker.Grains.Storage;

/// <summary>One SQL statement with its named parameters; a null value is sent as SQL NULL.</summary>
internal readonly record struct SqlStatement(string Sql, params (string Name, object? Value)[] Parameters);

internal static class DbCommandExtensions
{
    /// <summary>Adds a parameter by name; null is sent as SQL NULL.</summary>
    public static DbParameter AddParameter(this DbCommand command, string name, object? value) =>
        Add(command.Parameters, command.CreateParameter(), name, value);

    /// <summary>
    /// Runs <paramref name="statements"/> in order in <paramref name="transaction"/>: in one round trip where the
    /// provider batches them (PostgreSQL), else one after the other (SQLite, which runs in the process).
    /// </summary>
    public static async Task ExecuteAsync(this DbConnection connection, DbTransaction transaction, IEnumerable<SqlStatement> statements)
    {
        if (!connection.CanCreateBatch)
        {
            foreach (var statement in statements)
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = statement.Sql;
                foreach (var (name, value) in statement.Parameters)
                {
                    command.AddParameter(name, value);
                }

                await command.ExecuteNonQueryAsync();
            }

            return;
        }

        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        foreach (var statement in statements)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = statement.Sql;
            foreach (var (name, value) in statement.Parameters)
            {
                Add(command.Parameters, command.CreateParameter(), name, value);
            }

            batch.BatchCommands.Add(command);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync();
        }
    }

    private static DbParameter Add(DbParameterCollection parameters, DbParameter parameter, string name, object? value)
    {
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        parameters.Add(parameter);
        return parameter;
    }
}
