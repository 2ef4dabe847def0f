namespace Broker.Streaming;

/// <summary>
/// A sink that producers call with a subscription's items; a producer has at most one call in flight to each
/// subscription. Outside grains (a client, silo code) each subscription has one of its own, an observer made with
/// <see cref="IGrainFactory.CreateObjectReference{T}"/>. In a grain, the sink is an extension of the grain, one for
/// all its subscriptions: deliveries are calls to the grain, run in its turns.
/// </summary>
public interface IPushStreamConsumer : IGrainObserver, IGrainExtension
{
    /// <summary>Hands over items of the subscription <see cref="PushBatch.SubscriptionId"/>.</summary>
    Task Deliver(PushBatch batch);
}
