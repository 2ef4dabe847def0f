using Orleans.Streams;

namespace Broker.Streaming;

/// <summary>
/// One subscription's sink in the subscribing process: it hands each delivered batch to the subscriber's observer,
/// one batch at a time (producers in several silos may call at once), each item with its sequence token.
/// </summary>
internal sealed class PushConsumer<T> : IPushStreamConsumer, IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private IAsyncObserver<T>? _observer;
    private IAsyncBatchObserver<T>? _batchObserver;

    public PushConsumer(IAsyncObserver<T> observer) => _observer = observer;

    public PushConsumer(IAsyncBatchObserver<T> observer) => _batchObserver = observer;

    /// <summary>Hands later batches to another observer (a resumed subscription).</summary>
    public void Replace(IAsyncObserver<T> observer) => (_observer, _batchObserver) = (observer, null);

    public void Replace(IAsyncBatchObserver<T> observer) => (_observer, _batchObserver) = (null, observer);

    public void Dispose() => _turn.Dispose();

    public async Task Deliver(PushBatch batch)
    {
        await _turn.WaitAsync();
        try
        {
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

            for (var i = 0; i < batch.Items.Length; i++)
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
