namespace Broker.Streaming;

/// <summary>
/// What one produce call waits for: a count of the links it queued items for, each counted off when it has handed
/// them over (its call to the subscriber returned) or given up on them (dropped, failed, released after
/// <see cref="PushStreamOptions.ConfirmationTimeout"/>). One per produce call, shared by its links, so that waiting
/// costs nothing per item or per link. It completes successfully either way; it fails only when the subscribers could
/// not be looked up, and then no link holds the items.
/// </summary>
internal sealed class DeliveryConfirmation() : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
{
    // The producer holds one count while it hands the items to the links, so that a link answering at once cannot complete it early.
    private int _pending = 1;

    /// <summary>A link now holds items of the call.</summary>
    public void Add() => Interlocked.Increment(ref _pending);

    /// <summary>A link (or, once it has handed the items to every link, the producer) is done with them.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            TrySetResult();
        }
    }
}
