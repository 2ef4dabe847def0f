using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Broker.Bench.Load;

namespace Broker.Bench.Targets;

/// <summary>
/// A broker process the tool started (a broker of its own, or a cluster's silo or gateway): its output is forwarded
/// to stderr with its name as a prefix, it is waited for until it listens, writes its started line or is ready,
/// each within a minute, and disposing it sends SIGTERM (then kills it after 10 s).
/// </summary>
public sealed class BrokerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(100);

    private readonly Process _process;
    private readonly string? _startedLine;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BrokerProcess(string name, Process process, string? startedLine)
    {
        Name = name;
        _process = process;
        _startedLine = startedLine;
    }

    public string Name { get; }

    public int Id => _process.Id;

    /// <summary>Why the process is gone, when it ended before the tool stopped it (crash, or a signal from elsewhere).</summary>
    public string? UnexpectedExit => _process.HasExited
        ? $"the broker process {Name} exited during the run with code {_process.ExitCode}"
            + (_process.ExitCode switch { 137 => " (SIGKILL)", 143 => " (SIGTERM)", 134 => " (SIGABRT)", _ => "" })
        : null;

    /// <summary>Starts the process; <paramref name="startedLine"/> is text of the line <see cref="WaitForStartedLineAsync"/> waits for.</summary>
    public static BrokerProcess Start(string name, string fileName, IEnumerable<string> arguments, string? startedLine = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new BenchException($"could not start {fileName}");
        var broker = new BrokerProcess(name, process, startedLine);
        process.OutputDataReceived += (_, e) => broker.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => broker.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return broker;
    }

    /// <summary>Waits until a TCP connection to <paramref name="port"/> on loopback succeeds.</summary>
    public async Task WaitForPortAsync(int port, CancellationToken cancellationToken)
    {
        var deadline = Deadline();
        while (true)
        {
            ThrowIfExited($"listening on port {port}");
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                return;
            }
            catch (SocketException) when (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(ProbePeriod, cancellationToken);
            }
            catch (SocketException exception)
            {
                throw new BenchException($"{Name} did not listen on port {port} within {StartTimeout.TotalSeconds:0} s", exception);
            }
        }
    }

    /// <summary>Waits for the line given at start (a silo's "listening"), failing when the process ends first.</summary>
    public async Task WaitForStartedLineAsync(CancellationToken cancellationToken)
    {
        if (_startedLine is null)
        {
            throw new InvalidOperationException($"{Name} was started without a line to wait for");
        }

        var exited = _process.WaitForExitAsync(cancellationToken);
        try
        {
            var first = await Task.WhenAny(_started.Task, exited).WaitAsync(StartTimeout, cancellationToken);
            await first;
        }
        catch (TimeoutException)
        {
            throw new BenchException($"{Name} wrote no line with '{_startedLine}' within {StartTimeout.TotalSeconds:0} s");
        }

        ThrowIfExited($"writing a line with '{_startedLine}'");
    }

    /// <summary>Asks <c>GET /readyz</c> on the HTTP port until it answers 200 (a gateway connected to its cluster).</summary>
    public async Task WaitForReadinessAsync(int httpPort, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = StartTimeout };
        var deadline = Deadline();
        while (true)
        {
            ThrowIfExited("getting ready");
            try
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new BenchException($"{Name}'s /readyz on port {httpPort} did not answer 200 within {StartTimeout.TotalSeconds:0} s");
            }

            await Task.Delay(ProbePeriod, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = NativeMethods.Kill(_process.Id, NativeMethods.SignalTerminate);
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"[{Name}] did not stop within {StopTimeout.TotalSeconds:0} s of SIGTERM; killing it");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        _process.Dispose();
    }

    private static long Deadline() => Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);

    private void ThrowIfExited(string waitingFor)
    {
        if (_process.HasExited)
        {
            throw new BenchException($"{Name} ({_process.StartInfo.FileName}) exited with code {_process.ExitCode} before {waitingFor}");
        }
    }

    private void OnLine(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        Console.Error.WriteLine($"[{Name}] {line}");
        if (_startedLine is not null && line.Contains(_startedLine, StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
    }
}
