using System.Diagnostics;
using System.Threading.Channels;

namespace Broker.Gateway.Tests.Mosquitto;

/// <summary>
/// A running mosquitto_pub or mosquitto_sub. Its standard output is read line by line as it comes (the tools
/// run under <c>stdbuf -oL</c>, since they do not flush a pipe themselves), so a test can wait for a line such
/// as the debug output's "received SUBACK" instead of sleeping.
/// </summary>
public sealed class MosquittoProcess : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);

    private readonly Process _process;
    private readonly Channel<string> _unread = Channel.CreateUnbounded<string>();
    private readonly List<string> _lines = [];
    private readonly Task _stdout;
    private readonly Task<string> _stderr;

    private MosquittoProcess(Process process)
    {
        _process = process;
        _stdout = ReadLinesAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public static MosquittoProcess Start(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("stdbuf")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-oL");
        start.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new MosquittoProcess(Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start"));
    }

    /// <summary>Waits for the next output line that satisfies <paramref name="predicate"/>; earlier lines stay in the result.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, string description)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            while (true)
            {
                var line = await _unread.Reader.ReadAsync(timeout.Token);
                if (predicate(line))
                {
                    return line;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException($"No line {description}; output so far:\n{string.Join('\n', Lines())}\nstderr: {(_stderr.IsCompleted ? _stderr.Result : "")}", exception);
        }
    }

    /// <summary>mosquitto_sub started with <c>-d</c> prints this line once the broker granted the subscription.</summary>
    public Task WaitUntilSubscribedAsync() =>
        WaitForLineAsync(line => line.EndsWith("received SUBACK", StringComparison.Ordinal), "saying SUBACK was received");

    public async Task<MosquittoResult> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await _process.WaitForExitAsync(timeout.Token);
        await _stdout;
        return new MosquittoResult(_process.ExitCode, Lines(), await _stderr);
    }

    /// <summary>Ends the process without an MQTT DISCONNECT, as a crash would: the socket just closes.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private IReadOnlyList<string> Lines()
    {
        lock (_lines)
        {
            return [.. _lines];
        }
    }

    private async Task ReadLinesAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }

            _unread.Writer.TryWrite(line);
        }

        _unread.Writer.TryComplete();
    }
}
