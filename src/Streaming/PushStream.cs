using Orleans.Streams;

namespace Broker.Streaming;

/// <summary>
/// A stream of a push stream provider. Producing queues the items for every subscriber, after those of earlier produce
/// calls on the stream from this process whether or not they were awaited, and delivery goes straight to the
/// subscribers' sinks, without queues to poll. The task of a produce call completes when every subscriber in another
/// process has accepted the items (its sink's call returned), or its link gave up on them: dropped for its bounds, the
/// subscriber failed or could not be reached, or it kept the producer waiting for
/// <see cref="PushStreamOptions.ConfirmationTimeout"/> (it is then not waited for until it has caught up). So a
/// producer that awaits knows that its items have left its process, unless a subscriber was lost or lagging; one
/// that need not know can go on without awaiting. Subscribers in the producer's own process are not waited for: they
/// share its fate. The task fails only when the subscribers could not be looked up, and then no subscriber gets the
/// items. (A grain that awaits its produce on a stream it subscribes to itself waits for the timeout: its delivery
/// waits for the grain's turn.) The stream is not rewindable: a subscription starts with what is produced after it,
/// and a token to start from is refused. Completion and errors are not carried. Subscribing in a grain subscribes the
/// grain's activation: it receives in its own turns until it unsubscribes or the activation ends (a new activation
/// subscribes again, in its <c>OnActivateAsync</c> for instance; there is nothing to resume).
/// <see cref="GetAllSubscriptionHandles"/> lists the caller's own: the grain activation's in a grain, the process's
/// elsewhere.
/// </summary>
internal sealed class PushStream<T>(PushStreamProvider provider, StreamId streamId) : IAsyncStream<T>
{
    public bool IsRewindable => false;

    public string ProviderName => provider.Name;

    public StreamId StreamId { get; } = streamId;

    public Task OnNextAsync(T item, StreamSequenceToken? token = null) => provider.Producer.ProduceAsync(StreamId, [item!]);

    public Task OnNextBatchAsync(IEnumerable<T> batch, StreamSequenceToken? token = null) =>
        provider.Producer.ProduceAsync(StreamId, [.. batch.Select(item => (object)item!)]);

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer) => SubscribeAsync(observer, null);

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token, string? filterData = null)
    {
        RefuseRewind(token);
        if (filterData is not null)
        {
            throw new NotSupportedException("push streams take no filter data");
        }

        return SubscribeAsync(new PushConsumer<T>(observer));
    }

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncBatchObserver<T> observer) => SubscribeAsync(observer, null);

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncBatchObserver<T> observer, StreamSequenceToken? token)
    {
        RefuseRewind(token);
        return SubscribeAsync(new PushConsumer<T>(observer));
    }

    public Task<IList<StreamSubscriptionHandle<T>>> GetAllSubscriptionHandles() =>
        Task.FromResult<IList<StreamSubscriptionHandle<T>>>([.. provider.Subscriptions.Of(StreamId, typeof(T)).Select(Handle)]);

    public bool Equals(IAsyncStream<T>? other) => other is not null && other.ProviderName == ProviderName && other.StreamId.Equals(StreamId);

    public override bool Equals(object? obj) => Equals(obj as IAsyncStream<T>);

    public override int GetHashCode() => HashCode.Combine(ProviderName, StreamId);

    public int CompareTo(IAsyncStream<T>? other) => other is null
        ? 1
        : string.CompareOrdinal(ProviderName, other.ProviderName) is var byName and not 0 ? byName : StreamId.CompareTo(other.StreamId);

    public override string ToString() => $"{ProviderName}/{StreamId}";

    private static void RefuseRewind(StreamSequenceToken? token)
    {
        if (token is not null)
        {
            throw new NotSupportedException("push streams are not rewindable: a subscription cannot start from a token");
        }
    }

    private async Task<StreamSubscriptionHandle<T>> SubscribeAsync(PushConsumer<T> sink) =>
        Handle(await provider.Subscriptions.AddAsync(StreamId, sink, typeof(T)));

    private PushSubscriptionHandle<T> Handle(Guid id) => new(provider, StreamId, id);
}
