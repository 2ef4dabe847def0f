using Orleans.Streams;

namespace Broker.Grains.Tests.Infrastructure;

/// <summary>A gateway inbox without a stream: keeps the batches an outbox sends, for tests of the instance's plain types.</summary>
public sealed class RecordingInbox : IAsyncObserver<InboxBatch>
{
    public List<InboxBatch> Batches { get; } = [];

    public Task OnNextAsync(InboxBatch item, StreamSequenceToken? token = null)
    {
        Batches.Add(item);
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}
