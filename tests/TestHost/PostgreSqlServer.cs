using System.Diagnostics;
using Npgsql;

namespace Broker.TestHost;

/// <summary>
/// A throwaway PostgreSQL server of the tests' own, started with <c>.ci/postgres</c> from the installed PostgreSQL in
/// a temporary folder, on a port of its own; it can be stopped as a crash stops it and started again on the same
/// port and data. Disposing stops it and removes its folder.
/// </summary>
public sealed class PostgreSqlServer : IAsyncDisposable
{
    private readonly string _folder;
    private int _port;

    private PostgreSqlServer(string folder, string connectionString)
    {
        _folder = folder;
        ConnectionString = connectionString;
        _port = new NpgsqlConnectionStringBuilder(connectionString).Port;
    }

    /// <summary>The connection string of the server's <c>postgres</c> database, as a user that may create databases.</summary>
    public string ConnectionString { get; }

    public static async Task<PostgreSqlServer> StartAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"broker-test-postgres-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        if (!OperatingSystem.IsWindows())
        {
            // Run as the postgres user, the server must reach its folder.
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return new PostgreSqlServer(folder, (await RunAsync("start", folder)).Trim());
    }

    /// <summary>Stops the server as a crash or a pulled plug does (<c>pg_ctl stop -m immediate</c>).</summary>
    public Task CrashAsync() => RunAsync("stop", _folder, "immediate");

    /// <summary>Starts the stopped server again on the same port, recovering from its write-ahead log.</summary>
    public Task RestartAsync() => RunAsync("start", _folder, $"{_port}");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("stop", _folder, "immediate");
        }
        catch (InvalidOperationException)
        {
            // Stopped already.
        }

        Directory.Delete(_folder, recursive: true);
    }

    private static async Task<string> RunAsync(params string[] arguments)
    {
        var script = Path.Combine(BrokerProcess.RepositoryRoot(), ".ci", "postgres");
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
                $"{script} {string.Join(' ', arguments)} failed (install PostgreSQL, Debian package postgresql, or set {PostgreSqlDatabase.ServerVariable}): {await error}");
        }

        return await output;
    }
}
