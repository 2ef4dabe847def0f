using System.Diagnostics;

namespace Broker.Bench.Targets;

/// <summary>
/// A PostgreSQL server for one run of the tool when no <c>--database</c> is given: the repository's
/// <c>.ci/postgres</c> starts it in a temporary folder on a free port (as the postgres user, so the folder is
/// readable by others), and disposing stops it and removes the folder.
/// </summary>
public sealed class ThrowawayPostgreSql : IAsyncDisposable
{
    private readonly string _script;
    private readonly string _folder;

    private ThrowawayPostgreSql(string script, string folder, string connectionString)
    {
        _script = script;
        _folder = folder;
        ConnectionString = connectionString;
    }

    /// <summary>The connection string of the server's <c>postgres</c> database, as a superuser.</summary>
    public string ConnectionString { get; }

    public static async Task<ThrowawayPostgreSql> StartAsync(string repositoryRoot, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new BenchException("a throwaway PostgreSQL needs Linux (.ci/postgres); pass --database with a server's connection string");
        }

        var script = Path.Combine(repositoryRoot, ".ci", "postgres");
        var folder = Path.Combine(Path.GetTempPath(), $"bench-postgres-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);

        // Set after creating, where the umask does not apply: the postgres user must reach the folder.
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        try
        {
            var connectionString = (await RunAsync(script, ["start", folder], cancellationToken)).Trim();
            Console.Error.WriteLine($"started a throwaway PostgreSQL for this run: {connectionString}");
            return new ThrowawayPostgreSql(script, folder, connectionString);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync(_script, ["stop", _folder], CancellationToken.None);
        Directory.Delete(_folder, recursive: true);
    }

    private static async Task<string> RunAsync(string script, string[] arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        startInfo.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new BenchException("could not run bash");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0
            ? await output
            : throw new BenchException($"{script} {string.Join(' ', arguments)} failed (is PostgreSQL installed, Debian package postgresql? or pass --database): {await error}");
    }
}
