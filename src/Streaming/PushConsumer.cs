using Orleans.Streams;

namespace Broker.Streaming;

/// <summary>
/// One subscription's sink in the subscribing process: it hands each delivered batch to the subscriber's observer,
/// one batch at a time (producers in several silos may call at once), each item with its sequence token. Ended
/// (disposed), it hands nothing more to the observer, not even the rest of the batch it is handing over: an
/// observer that unsubscribes while it handles an item gets no later item.
/// </summary>
internal sealed class PushConsumer<T> : IPushStreamConsumer, IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private IAsyncObserver<T>? _observer;
    private IAsyncBatchObserver<T>? _batchObserver;
    private volatile bool _ended;

    public PushConsumer(IAsyncObserver<T> observer) => _observer = observer;

    public PushConsumer(IAsyncBatchObserver<T> observer) => _batchObserver = observer;

    /// <summary>Hands later batches to another observer (a resumed subscription).</summary>
    public void Replace(IAsyncObserver<T> observer) => (_observer, _batchObserver) = (observer, null);

    public void Replace(IAsyncBatchObserver<T> observer) => (_observer, _batchObserver) = (null, observer);

    /// <summary>
    /// Ends the subscription's deliveries. The turn is not disposed: a delivery may hold it or wait for it (the
    /// observer may be ending its own subscription), and it owns no handle to release.
    /// </summary>
    public void Dispose() => _ended = true;

    public async Task Deliver(PushBatch batch)
    {
        await _turn.WaitAsync();
        try
        {
            if (_ended)
            {
                return;
            }

            if (_batchObserver is { } batchObserver)
            {
                var items = new List<SequentialItem<T>>(batch.Items.Length);
                for (var i = 0; i < batch.Items.Length; i++)
                {
                    items.Add(new SequentialItem<T>((T)batch.Items[i], new PushSequenceToken(batch.Epoch, batch.FirstSequence + i)));
                }

                await batchObserver.OnNextAsync(items);
                return;
            }

            for (var i = 0; i < batch.Items.Length && !_ended; i++)
            {
                await _observer!.OnNextAsync((T)batch.Items[i], new PushSequenceToken(batch.Epoch, batch.FirstSequence + i));
            }
        }
        finally
        {
            _turn.Release();
        }
    }
}
