using System.Threading.Channels;
using Orleans.Streams;

namespace Broker.Grains.Tests.Infrastructure;

/// <summary>
/// Stands in for a gateway: a fresh gateway id whose inbox stream the test reads. Every batch an instance sends
/// this gateway is queued, so tests await the next one instead of sleeping. Told to hold, it takes each batch but does
/// not answer the delivery until the test lets it go, as a gateway slow to answer.
/// </summary>
public sealed class GatewayProbe : IAsyncObserver<InboxBatch>, IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Channel<InboxBatch> _batches = Channel.CreateUnbounded<InboxBatch>();
    private StreamSubscriptionHandle<InboxBatch>? _subscription;
    private long _batchSequence;
    private TaskCompletionSource? _held;

    private GatewayProbe()
    {
    }

    public string GatewayId { get; } = $"gw-test-{Guid.NewGuid():N}";

    public static async Task<GatewayProbe> StartAsync(IClusterClient client)
    {
        var probe = new GatewayProbe();
        var stream = client.GetStreamProvider(BrokerStreams.ProviderName).GetStream<InboxBatch>(BrokerStreams.GatewayInbox(probe.GatewayId));
        probe._subscription = await stream.SubscribeAsync(probe);
        return probe;
    }

    public ConnectionAddress Connection(long connectionId) => new(GatewayId, connectionId);

    /// <summary>The number of the next publish batch this gateway sends, as a gateway's router numbers them.</summary>
    public long NextBatchSequence() => Interlocked.Increment(ref _batchSequence);

    public async Task<InboxBatch> NextAsync(TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? Timeout);
        return await _batches.Reader.ReadAsync(cancellation.Token);
    }

    public bool TryTake(out InboxBatch? batch) => _batches.Reader.TryRead(out batch);

    /// <summary>From now on, batches are taken but not answered until <see cref="Release"/>.</summary>
    public void Hold() => _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Answers the batches held, and every later one at once.</summary>
    public void Release() => Interlocked.Exchange(ref _held, null)?.TrySetResult();

    public Task OnNextAsync(InboxBatch item, StreamSequenceToken? token = null)
    {
        _batches.Writer.TryWrite(item);
        return Volatile.Read(ref _held)?.Task ?? Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        _batches.Writer.TryComplete(ex);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscription is not null)
        {
            await _subscription.UnsubscribeAsync();
        }
    }
}
