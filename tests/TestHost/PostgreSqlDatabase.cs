using System.Diagnostics;
using Npgsql;

namespace Broker.TestHost;

/// <summary>
/// A PostgreSQL database of its own for a test, created on the server that <c>BROKER_TEST_DATABASE</c> names (the
/// connection string of a user that may create databases; <c>.ci/run</c> starts a throwaway server and sets it) and
/// dropped when disposed. Without the variable, the first test to ask starts a throwaway server with
/// <c>.ci/postgres</c> from the installed PostgreSQL, stopped when the test process ends.
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

    public static async Task<PostgreSqlDatabase> CreateAsync()
    {
        var server = await Server.Value;
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
        await ExecuteAsync(_server, $"DROP DATABASE IF EXISTS {_name} WITH (FORCE);");
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

        var folder = Path.Combine(Path.GetTempPath(), $"broker-test-postgres-{Environment.ProcessId}");
        var script = Path.Combine(BrokerProcess.RepositoryRoot(), ".ci", "postgres");
        var started = await RunAsync(script, "start", folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            using var stop = Process.Start("bash", [script, "stop", folder]);
            stop.WaitForExit();
            Directory.Delete(folder, recursive: true);
        };
        return started.Trim();
    }

    private static async Task<string> RunAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"No PostgreSQL server for the tests: set {ServerVariable} to a connection string, or install PostgreSQL (Debian package postgresql) for {script} to start one. It said: {await error}");
        }

        return await output;
    }
}
