using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Tests.Infrastructure;

/// <summary>A logger provider that keeps every entry the logging filters let through, with its category and exception, for asserting that nothing went wrong.</summary>
public sealed class LogRecorder : ILoggerProvider
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<LoggedEntry> _entries = new();

    private event Action? Logged;

    public IReadOnlyList<LoggedEntry> Entries => [.. _entries];

    /// <summary>Warnings and errors that carry an exception: what an operator would see as a stack trace.</summary>
    public IReadOnlyList<LoggedEntry> Failures => [.. _entries.Where(entry => entry.Level >= LogLevel.Warning && entry.Exception is not null)];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    /// <summary>A logger of category <typeparamref name="T"/> that records here, for a type built without a host.</summary>
    public ILogger<T> CreateLogger<T>() => new Logger<T>(new LoggerFactory([this]));

    /// <summary>Completes once <paramref name="count"/> entries match; throws when they do not come in time.</summary>
    public async Task WaitForAsync(Func<LoggedEntry, bool> match, int count)
    {
        var logged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            if (_entries.Count(match) >= count)
            {
                logged.TrySetResult();
            }
        }

        Logged += Check;
        try
        {
            Check();
            await logged.Task.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{_entries.Count(match)} of {count} matching log entries within {Timeout}");
        }
        finally
        {
            Logged -= Check;
        }
    }

    public void Dispose()
    {
    }

    public sealed record LoggedEntry(string Category, LogLevel Level, string Message, Exception? Exception)
    {
        public override string ToString() => $"{Level} {Category}: {Message}{(Exception is null ? "" : $"\n{Exception}")}";
    }

    private void Add(LoggedEntry entry)
    {
        _entries.Enqueue(entry);
        Logged?.Invoke();
    }

    private sealed class Logger(string category, LogRecorder recorder) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                recorder.Add(new LoggedEntry(category, logLevel, formatter(state, exception), exception));
            }
        }
    }
}
