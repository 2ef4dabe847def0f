using System.Diagnostics;

namespace Broker.TestHost;

/// <summary>
/// A silo or gateway run as a process of its own (<c>dotnet Broker.Silo.dll</c> or <c>dotnet Broker.Gateway.dll</c>),
/// for behaviour that is about processes: starting in any order, signals, exits.
/// Its output lines (standard output and error together) are kept, so a test waits for a line instead of sleeping;
/// disposing kills it if it still runs.
/// </summary>
public sealed class BrokerProcess : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(string Text, TaskCompletionSource<string> Found)> _waiting = [];
    private bool _ended;

    private BrokerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Waiting for the exit includes the end of both output streams: no line comes after it.
        _ = process.WaitForExitAsync().ContinueWith(_ => End(), TaskScheduler.Default);
    }

    /// <summary>Every line so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>
    /// The lines that log a failure (<c>fail:</c>, <c>crit:</c>) or belong to a stack trace: what an operator should
    /// not see for an expected event, such as a silo that comes and goes.
    /// </summary>
    public IReadOnlyList<string> FailureLines => [.. Lines.Where(line =>
        line.StartsWith("fail:", StringComparison.Ordinal)
        || line.StartsWith("crit:", StringComparison.Ordinal)
        || line.TrimStart().StartsWith("at ", StringComparison.Ordinal))];

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts the project <paramref name="project"/> (<c>Gateway</c> or <c>Silo</c>) from its own build output (the
    /// test's configuration), where its dependencies are, with the given settings as command-line arguments.
    /// </summary>
    public static BrokerProcess Start(string project, IDictionary<string, string> settings)
    {
        var start = StartInfo(Path.Combine(RepositoryRoot(), "src", project, "bin", Configuration(), "net10.0", $"Broker.{project}.dll"));
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        return Start(start);
    }

    /// <summary>
    /// Starts an assembly from elsewhere (a published folder) as a container runs it: configured by environment
    /// variables alone, and none of the test process's <c>Broker__</c> ones.
    /// </summary>
    public static BrokerProcess StartAssembly(string assembly, IDictionary<string, string> environment)
    {
        var start = StartInfo(assembly);
        start.WorkingDirectory = Path.GetDirectoryName(assembly);
        foreach (var inherited in start.Environment.Keys.Where(key => key.StartsWith("Broker__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return Start(start);
    }

    /// <summary>Waits until a line that contains <paramref name="text"/> has been written (it may have been already).</summary>
    public async Task<string> WaitForLineAsync(string text)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            if (_lines.FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            if (_ended)
            {
                throw new InvalidOperationException($"the process ended without a line with '{text}'; the output was:\n{string.Join('\n', _lines)}");
            }

            _waiting.Add((text, found));
        }

        try
        {
            return await found.Task.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line with '{text}' within {Timeout}; the output was:\n{string.Join('\n', Lines)}");
        }
    }

    /// <summary>Sends SIGTERM, as Kubernetes and systemd stop a process.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Sends SIGKILL, as a crash or an evicted pod ends a process: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(Timeout);
    }

    /// <summary>Waits for the process to end and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Timeout);
        return _process.ExitCode;
    }

    private static ProcessStartInfo StartInfo(string assembly)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);

        // The console logger writes a line per entry, without colours, so that lines can be matched.
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        return start;
    }

    private static BrokerProcess Start(ProcessStartInfo start) =>
        new(Process.Start(start) ?? throw new InvalidOperationException($"{start.ArgumentList[0]} did not start"));

    /// <summary>The folder that holds Cluster.sln, above the test's output folder.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Cluster.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Cluster.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>The build configuration of the running tests: the output folder is <c>bin/&lt;configuration&gt;/&lt;framework&gt;</c>.</summary>
    private static string Configuration() => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
            foreach (var waiter in _waiting.Where(waiter => line.Contains(waiter.Text, StringComparison.Ordinal)).ToList())
            {
                _waiting.Remove(waiter);
                waiter.Found.TrySetResult(line);
            }
        }
    }

    private void End()
    {
        lock (_lines)
        {
            _ended = true;
            foreach (var (text, found) in _waiting)
            {
                found.TrySetException(new InvalidOperationException($"the process ended without a line with '{text}'; the output was:\n{string.Join('\n', _lines)}"));
            }

            _waiting.Clear();
        }
    }
}
