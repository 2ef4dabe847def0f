using Orleans.Streams;

namespace Broker.Streaming;

/// <summary>A subscription to a push stream in this process; unsubscribing removes it from the stream's registry.</summary>
internal sealed class PushSubscriptionHandle<T>(PushStreamProvider provider, StreamId streamId, Guid handleId) : StreamSubscriptionHandle<T>
{
    public override Guid HandleId { get; } = handleId;

    public override string ProviderName => provider.Name;

    public override StreamId StreamId { get; } = streamId;

    public override Task UnsubscribeAsync() => provider.Subscriptions.RemoveAsync(HandleId);

    /// <summary>Registers the subscription with its stream's registry again now, instead of at the next renewal.</summary>
    public Task RenewAsync() => provider.Subscriptions.RenewAsync(HandleId);

    public override Task<StreamSubscriptionHandle<T>> ResumeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token = null)
    {
        Sink(token).Replace(observer);
        return Task.FromResult<StreamSubscriptionHandle<T>>(this);
    }

    public override Task<StreamSubscriptionHandle<T>> ResumeAsync(IAsyncBatchObserver<T> observer, StreamSequenceToken? token = null)
    {
        Sink(token).Replace(observer);
        return Task.FromResult<StreamSubscriptionHandle<T>>(this);
    }

    public override bool Equals(StreamSubscriptionHandle<T>? other) =>
        other is not null && other.HandleId == HandleId && other.ProviderName == ProviderName && other.StreamId.Equals(StreamId);

    public override bool Equals(object? obj) => Equals(obj as StreamSubscriptionHandle<T>);

    public override int GetHashCode() => HandleId.GetHashCode();

    private PushConsumer<T> Sink(StreamSequenceToken? token)
    {
        if (token is not null)
        {
            throw new NotSupportedException("push streams are not rewindable: a subscription cannot resume from a token");
        }

        return provider.Subscriptions.SinkOf(HandleId) as PushConsumer<T>
            ?? throw new InvalidOperationException($"subscription {HandleId} to {StreamId} has ended");
    }
}
