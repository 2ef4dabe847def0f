using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Broker.Bench.Load;

namespace Broker.Bench.Targets;

/// <summary>
/// A broker the tool started as a child process: its output is forwarded to stderr with a prefix, it counts as
/// started once its MQTT port accepts a connection, and disposing it sends SIGTERM (then kills it after 10 s).
/// </summary>
public sealed class BrokerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly Action? _cleanup;

    private BrokerProcess(Process process, BrokerEndpoint endpoint, Action? cleanup)
    {
        _process = process;
        Endpoint = endpoint;
        _cleanup = cleanup;
    }

    public BrokerEndpoint Endpoint { get; }

    /// <summary>Why the broker is gone, when it ended before the tool stopped it (crash, or a signal from elsewhere).</summary>
    public string? UnexpectedExit => _process.HasExited
        ? $"the broker process exited during the run with code {_process.ExitCode}"
            + (_process.ExitCode switch { 137 => " (SIGKILL)", 143 => " (SIGTERM)", 134 => " (SIGABRT)", _ => "" })
        : null;

    public static async Task<BrokerProcess> StartAsync(
        string name, string fileName, IEnumerable<string> arguments, int mqttPort, Action? cleanup, CancellationToken cancellationToken)
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
        process.OutputDataReceived += (_, e) => Forward(name, e.Data);
        process.ErrorDataReceived += (_, e) => Forward(name, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var broker = new BrokerProcess(process, new BrokerEndpoint(name, new IPEndPoint(IPAddress.Loopback, mqttPort), process.Id), cleanup);
        try
        {
            await WaitForPortAsync(process, mqttPort, cancellationToken);
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
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
                Console.Error.WriteLine($"[{Endpoint.Name}] did not stop within {StopTimeout.TotalSeconds:0} s of SIGTERM; killing it");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        _process.Dispose();
        _cleanup?.Invoke();
    }

    private static void Forward(string name, string? line)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            Console.Error.WriteLine($"[{name}] {line}");
        }
    }

    private static async Task WaitForPortAsync(Process process, int port, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (process.HasExited)
            {
                throw new BenchException($"{process.StartInfo.FileName} exited with code {process.ExitCode} before listening on port {port}");
            }

            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                return;
            }
            catch (SocketException) when (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (SocketException exception)
            {
                throw new BenchException($"the broker did not listen on port {port} within {StartTimeout.TotalSeconds:0} s", exception);
            }
        }
    }
}
