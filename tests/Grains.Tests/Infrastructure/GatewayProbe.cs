using System.Threading.Channels;
using Orleans.Streams;

namespace Broker.Grains.Tests.Infrastructure;

/// <summary>
/// Stands in for a gateway: a fresh gateway id whose inbox stream the test reads. Every batch an instance sends
/// this gateway is queued, so tests await the next one instead of sleeping.
/// </summary>
public sealed class GatewayProbe : IAsyncObserver<InboxBatch>, IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Channel<InboxBatch> _batches = Channel.CreateUnbounded<InboxBatch>();
    private StreamSubscriptionHandle<InboxBatch>? _subscription;

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

    public async Task<InboxBatch> NextAsync(TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? Timeout);
        return await _batches.Reader.ReadAsync(cancellation.Token);
    }

    public bool TryTake(out InboxBatch? batch) => _batches.Reader.TryRead(out batch);

    public Task OnNextAsync(InboxBatch item, StreamSequenceToken? token = null)
    {
        _batches.Writer.TryWrite(item);
        return Task.CompletedTask;
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
