using Npgsql;

namespace Broker.TestHost;

/// <summary>
/// A PostgreSQL database of its own for a test, created on the server that <c>BROKER_TEST_DATABASE</c> names (the
/// connection string of a user that may create databases; <c>.ci/run</c> starts a throwaway server and sets it) and
/// dropped when disposed. Without the variable, the first test to ask starts a <see cref="PostgreSqlServer"/>,
/// stopped when the test process ends.
/// </summary>
public sealed class PostgreSqlDatabase : IAsyncDisposable
{
    public const string ServerVariable = "BROKER_TEST_DATABASE";

    private static readonly Lazy<Task<string>> Server = new(FindServerAsync);

    private readonly string _server;
    private readonly string _name;

    private PostgreSqlDatabase(string server, string name)
    {
        _server = server;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
    }

    /// <summary>The database's Npgsql connection string, as <c>Broker:Database</c> takes it.</summary>
    public string ConnectionString { get; }

    public static async Task<PostgreSqlDatabase> CreateAsync(string? server = null)
    {
        server ??= await Server.Value;
        var name = $"broker_test_{Guid.NewGuid():N}";
        await ExecuteAsync(server, $"CREATE DATABASE {name};");
        return new PostgreSqlDatabase(server, name);
    }

    /// <summary>Runs <paramref name="sql"/> in this database and returns the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await ExecuteAsync(_server, $"DROP DATABASE IF EXISTS {_name} WITH (FORCE);");
        }
        catch (NpgsqlException)
        {
            // The server is down (a test stopped it): the database goes with the server's folder.
        }
    }

    private static async Task ExecuteAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> FindServerAsync()
    {
        if (Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } configured)
        {
            return configured;
        }

        var server = await PostgreSqlServer.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server.ConnectionString;
    }
}
