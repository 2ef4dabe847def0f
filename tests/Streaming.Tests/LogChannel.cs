using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Broker.Streaming.Tests;

/// <summary>A logger that queues every entry, so that a test waits for the one it expects instead of sleeping.</summary>
internal sealed class LogChannel : ILogger
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Channel<(LogLevel Level, string Message)> _entries = Channel.CreateUnbounded<(LogLevel, string)>();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Writer.TryWrite((logLevel, formatter(state, exception)));

    /// <summary>The next entry whose message contains <paramref name="text"/>, skipping others; throws when none comes in time.</summary>
    public async Task<(LogLevel Level, string Message)> NextAsync(string text)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            var entry = await _entries.Reader.ReadAsync(timeout.Token);
            if (entry.Message.Contains(text, StringComparison.Ordinal))
            {
                return entry;
            }
        }
    }
}
