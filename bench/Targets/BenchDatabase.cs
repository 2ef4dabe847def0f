using Npgsql;

namespace Broker.Bench.Targets;

/// <summary>
/// A PostgreSQL database of its own for one cluster, created on a server the tool may create databases on, and
/// dropped when disposed (with whatever connections are left), so that no run sees another's membership or state.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _name;

    private BenchDatabase(string server, string name)
    {
        _server = server;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
    }

    /// <summary>The database's Npgsql connection string, as <c>Broker:Database</c> takes it.</summary>
    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync(string server, CancellationToken cancellationToken)
    {
        var name = $"bench_{Guid.NewGuid():N}";
        await ExecuteAsync(server, $"CREATE DATABASE {name}", cancellationToken);
        return new BenchDatabase(server, name);
    }

    public async ValueTask DisposeAsync() => await ExecuteAsync(_server, $"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", CancellationToken.None);

    private static async Task ExecuteAsync(string server, string sql, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (NpgsqlException exception)
        {
            throw new BenchException($"PostgreSQL ({new NpgsqlConnectionStringBuilder(server) { Password = null }}): {sql}: {exception.Message}", exception);
        }
    }
}
