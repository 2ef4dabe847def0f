using System.Diagnostics;
using System.Threading.Channels;

namespace Broker.Gateway.Tests.Transports;

/// <summary>
/// A Node script run by a test: lines can be written to its standard input, and its output lines are read as they
/// come, so a test waits for a line instead of sleeping. Standard error is kept for the failure message.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];
    private readonly Task _stdout;
    private readonly Task<string> _stderr;

    private NodeProcess(Process process)
    {
        _process = process;
        _stdout = ReadLinesAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public static NodeProcess Start(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = NodeTools.ScriptFolder,
        };
        start.ArgumentList.Add(NodeTools.Script(script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new NodeProcess(Process.Start(start) ?? throw new InvalidOperationException($"node {script} did not start"));
    }

    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The next output line; throws with everything printed so far when none comes in time.</summary>
    public async Task<string> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            var line = await _lines.Reader.ReadAsync(timeout.Token);
            lock (_seen)
            {
                _seen.Add(line);
            }

            return line;
        }
        catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
        {
            string seen;
            lock (_seen)
            {
                seen = string.Join('\n', _seen);
            }

            var stderr = _stderr.IsCompleted ? await _stderr : "(still running)";
            throw new TimeoutException($"no more output from node within {Timeout}; so far:\n{seen}\nstderr: {stderr}", exception);
        }
    }

    /// <summary>Closes the script's input, which ends it, and kills it when it does not end in time.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception exception) when (exception is IOException or TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        await _stdout;
        _process.Dispose();
    }

    private async Task ReadLinesAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            _lines.Writer.TryWrite(line);
        }

        _lines.Writer.TryComplete();
    }
}
