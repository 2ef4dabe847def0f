using System.Threading.Channels;
using Orleans.Streams;

namespace Broker.Streaming.Tests;

/// <summary>
/// A subscriber that takes each number it is handed and keeps it until the test lets it go: the delivery call that
/// carried it does not return before then, as with a gateway that is slow to answer.
/// </summary>
internal sealed class HeldObserver : IAsyncObserver<int>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Channel<int> _received = Channel.CreateUnbounded<int>();
    private readonly Channel<bool> _releases = Channel.CreateUnbounded<bool>();

    public async Task OnNextAsync(int item, StreamSequenceToken? token = null)
    {
        _received.Writer.TryWrite(item);
        await _releases.Reader.ReadAsync();
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    /// <summary>The next number handed over (and held); throws when none comes in time.</summary>
    public async Task<int> NextAsync() => await _received.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    /// <summary>Lets the oldest held number go.</summary>
    public void Release() => _releases.Writer.TryWrite(true);
}
