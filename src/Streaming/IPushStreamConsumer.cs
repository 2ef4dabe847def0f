namespace Broker.Streaming;

/// <summary>
/// One subscription's sink, made with <see cref="IGrainFactory.CreateObjectReference{T}"/> where the subscriber
/// runs; producers call it directly. A producer has at most one call in flight to it.
/// </summary>
public interface IPushStreamConsumer : IGrainObserver
{
    Task Deliver(PushBatch batch);
}
