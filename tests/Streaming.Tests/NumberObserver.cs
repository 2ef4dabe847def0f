using System.Threading.Channels;
using Orleans.Streams;

namespace Broker.Streaming.Tests;

/// <summary>
/// A subscriber that keeps every number it receives with its token, for the test to read in order; also where a
/// consumer grain reports the numbers it receives.
/// </summary>
internal sealed class NumberObserver : IAsyncObserver<int>, INumberReport
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public Channel<(int Item, PushSequenceToken Token)> Received { get; } = Channel.CreateUnbounded<(int, PushSequenceToken)>();

    public Task OnNextAsync(int item, StreamSequenceToken? token = null)
    {
        Received.Writer.TryWrite((item, (PushSequenceToken)token!));
        return Task.CompletedTask;
    }

    public Task Report(int item, PushSequenceToken token) => OnNextAsync(item, token);

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    /// <summary>The next <paramref name="count"/> items; throws when they do not come in time.</summary>
    public async Task<List<(int Item, PushSequenceToken Token)>> TakeAsync(int count)
    {
        var items = new List<(int, PushSequenceToken)>();
        using var timeout = new CancellationTokenSource(Timeout);
        while (items.Count < count)
        {
            items.Add(await Received.Reader.ReadAsync(timeout.Token));
        }

        return items;
    }
}
