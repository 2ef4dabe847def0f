using System.Collections.Concurrent;
using Orleans.Concurrency;

namespace Broker.Streaming;

/// <summary>
/// The push stream sink of one grain activation, bound to it as a grain extension: producers call it through Orleans
/// as they would call the grain, so each batch reaches the grain's observer in a turn of the grain (on its scheduler,
/// one turn at a time unless the grain is reentrant). One serves all the activation's subscriptions, of every push
/// stream provider, by the subscription a batch names. A subscription lasts as long as the activation: when it ends
/// (deactivated, migrated), the extension ends them all, so that no renewal keeps them, and a new activation has none
/// until it subscribes again. A batch that reaches the grain after its activation ended (from a producer that looked
/// up the subscribers before) activates it again and fails, and that producer asks the registry again.
/// </summary>
internal sealed class GrainConsumerExtension : IPushStreamConsumer
{
    private readonly ConcurrentDictionary<Guid, (IPushStreamConsumer Sink, PushSubscriptions Owner)> _subscriptions = new();

    private GrainConsumerExtension(IGrainContext activation)
    {
        Activation = activation;

        // On the default scheduler: an activation that ended runs nothing more on its own.
        _ = activation.Deactivated.ContinueWith(_ => EndAllAsync(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    public IGrainContext Activation { get; }

    /// <summary>The grain activation the caller runs in (in one of its turns), or null outside grains: a client, or silo code.</summary>
    public static IGrainContext? RunningActivation(IGrainContextAccessor? running) =>
        running?.GrainContext is { GrainInstance: IGrainBase or IGrain } activation ? activation : null;

    /// <summary>The extension of <paramref name="activation"/>, bound to it now if it has none yet, and the reference that calls it.</summary>
    public static (GrainConsumerExtension Extension, IPushStreamConsumer Reference) Of(IGrainContext activation)
    {
        if (activation.GrainInstance!.GetType().IsDefined(typeof(StatelessWorkerAttribute), inherit: true))
        {
            throw new NotSupportedException(
                $"{activation.GrainId} is a stateless worker, which cannot subscribe to push streams: a delivery would reach any of its activations, not the one that subscribed");
        }

        return activation.GetComponent<IGrainExtensionBinder>()!.GetOrSetExtension<GrainConsumerExtension, IPushStreamConsumer>(() => new GrainConsumerExtension(activation));
    }

    /// <summary>Delivers the subscription's batches to <paramref name="sink"/>; <paramref name="owner"/> ends it with the activation.</summary>
    public void Add(Guid subscriptionId, IPushStreamConsumer sink, PushSubscriptions owner) => _subscriptions[subscriptionId] = (sink, owner);

    public void Remove(Guid subscriptionId) => _subscriptions.TryRemove(subscriptionId, out _);

    /// <summary>Hands the batch to its subscription's sink; a subscription that ended fails the call, and the producer asks the registry again.</summary>
    public Task Deliver(PushBatch batch) => _subscriptions.TryGetValue(batch.SubscriptionId, out var subscription)
        ? subscription.Sink.Deliver(batch)
        : Task.FromException(new InvalidOperationException($"{Activation.GrainId} holds no push subscription {batch.SubscriptionId}: it ended"));

    private Task EndAllAsync() => Task.WhenAll(_subscriptions.Select(entry => entry.Value.Owner.EndAsync(entry.Key)));
}
