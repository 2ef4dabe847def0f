using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Broker.Streaming;

/// <summary>
/// The subscribing side of one provider in one process: its subscriptions, each a sink registered with its
/// stream's registry, renewed every <see cref="PushStreamOptions.RenewalPeriod"/> so that a registry that lost them
/// has them again within one period. A subscription made in a grain is the grain activation's: its sink is the
/// grain's <see cref="GrainConsumerExtension"/>, and it ends when the activation does. Any other is the process's,
/// its sink an observer.
/// </summary>
internal sealed partial class PushSubscriptions(
    string providerName,
    Func<IGrainFactory> grains,
    Func<IGrainContext?> runningActivation,
    PushStreamOptions options,
    TimeProvider time,
    ILogger logger)
    : IDisposable
{
    private readonly ConcurrentDictionary<Guid, Subscription> _subscriptions = new();
    private readonly Lock _gate = new();
    private ITimer? _renewal;
    private bool _failing;
    private int _renewing;

    /// <summary>Subscribes <paramref name="sink"/> for the caller: the grain activation it runs in, or else this process.</summary>
    public async Task<Guid> AddAsync(StreamId stream, IPushStreamConsumer sink, Type itemType)
    {
        var id = Guid.NewGuid();
        var subscription = Bind(id, stream, itemType, sink, runningActivation());
        try
        {
            await Registry(stream).Register(subscription.Subscriber, options.LeaseDuration);
        }
        catch
        {
            Release(subscription);
            throw;
        }

        _subscriptions[id] = subscription;
        lock (_gate)
        {
            _renewal ??= time.CreateTimer(_ => _ = RenewAllAsync(), null, options.RenewalPeriod, options.RenewalPeriod);
        }

        // An activation that ended while it subscribed (it did not wait) ended its subscriptions before this one was here.
        if (subscription.Grain is { Activation.Deactivated.IsCompleted: true })
        {
            await EndAsync(id);
        }

        return id;
    }

    /// <summary>The sink that hands the subscription's batches to its observer, whoever made it.</summary>
    public IPushStreamConsumer? SinkOf(Guid id) => _subscriptions.TryGetValue(id, out var subscription) ? subscription.Sink : null;

    /// <summary>
    /// The sink a producer in this process may call directly, without an Orleans message: a subscription of this
    /// process, never a grain's (a grain is called through Orleans only, in its own turns).
    /// </summary>
    public IPushStreamConsumer? DirectSinkOf(Guid id) => _subscriptions.TryGetValue(id, out var subscription) && subscription.Grain is null ? subscription.Sink : null;

    /// <summary>The caller's subscriptions to <paramref name="stream"/>: those of the grain activation it runs in, or else this process's.</summary>
    public IEnumerable<Guid> Of(StreamId stream, Type itemType)
    {
        var activation = runningActivation();
        return _subscriptions
            .Where(entry => entry.Value.Stream == stream && entry.Value.ItemType == itemType && entry.Value.Grain?.Activation == activation)
            .Select(entry => entry.Key);
    }

    /// <summary>Ends a subscription: its registry forgets it, and its sink gets nothing more.</summary>
    public async Task RemoveAsync(Guid id)
    {
        if (!_subscriptions.TryRemove(id, out var subscription))
        {
            return;
        }

        try
        {
            await Registry(subscription.Stream).Unregister(id);
        }
        finally
        {
            Release(subscription);
        }
    }

    /// <summary>Ends a subscription whose grain activation ended; a registry that cannot be told forgets it when its lease runs out.</summary>
    public async Task EndAsync(Guid id)
    {
        try
        {
            await RemoveAsync(id);
        }
        catch (Exception exception)
        {
            var reason = FailureReason.Of(exception);
            LogEndingFailed(providerName, id, reason);
        }
    }

    /// <summary>Registers one subscription again now; a registry that lost it knows it again after this.</summary>
    public Task RenewAsync(Guid id) =>
        _subscriptions.TryGetValue(id, out var subscription)
            ? Registry(subscription.Stream).Register(subscription.Subscriber, options.LeaseDuration)
            : Task.CompletedTask;

    /// <summary>Registers every subscription again; one that a registry lost is known again after this.</summary>
    public async Task RenewAllAsync()
    {
        // A renewal slower than the period is not overtaken by the next.
        if (Interlocked.Exchange(ref _renewing, 1) == 1)
        {
            return;
        }

        try
        {
            await RenewEachAsync();
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    private async Task RenewEachAsync()
    {
        string? failure = null;
        foreach (var (id, subscription) in _subscriptions)
        {
            try
            {
                await Registry(subscription.Stream).Register(subscription.Subscriber, options.LeaseDuration);

                // Ended meanwhile: its unregistration may have reached the registry before this renewal did.
                if (!_subscriptions.ContainsKey(id))
                {
                    await Registry(subscription.Stream).Unregister(id);
                }
            }
            catch (Exception exception)
            {
                failure ??= $"stream {subscription.Stream}: {FailureReason.Of(exception)}";
            }
        }

        if (failure is not null && !_failing)
        {
            LogRenewalsFailing(providerName, failure);
        }
        else if (failure is null && _failing)
        {
            LogRenewalsRecovered(providerName);
        }

        _failing = failure is not null;
    }

    public void Dispose() => _renewal?.Dispose();

    private IPushStreamRegistryGrain Registry(StreamId stream) => IPushStreamRegistryGrain.Of(grains(), providerName, stream);

    /// <summary>
    /// The subscription, its sink made callable by producers: through the extension of <paramref name="activation"/>
    /// if it runs in one, or else an observer of this process.
    /// </summary>
    private Subscription Bind(Guid id, StreamId stream, Type itemType, IPushStreamConsumer sink, IGrainContext? activation)
    {
        if (activation is null)
        {
            return new Subscription(stream, itemType, sink, new PushSubscriber(id, grains().CreateObjectReference<IPushStreamConsumer>(sink)), null);
        }

        var (extension, reference) = GrainConsumerExtension.Of(activation);
        extension.Add(id, sink, this);
        return new Subscription(stream, itemType, sink, new PushSubscriber(id, reference), extension);
    }

    /// <summary>Unbinds the subscription's sink, which gets nothing more.</summary>
    private void Release(Subscription subscription)
    {
        if (subscription.Grain is { } extension)
        {
            extension.Remove(subscription.Subscriber.SubscriptionId);
        }
        else
        {
            grains().DeleteObjectReference<IPushStreamConsumer>(subscription.Subscriber.Consumer);
        }

        (subscription.Sink as IDisposable)?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push streams {Provider}: renewing subscriptions failed ({Reason}); retrying every period")]
    private partial void LogRenewalsFailing(string provider, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push streams {Provider}: subscriptions are renewed again")]
    private partial void LogRenewalsRecovered(string provider);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Push streams {Provider}: telling the registry that subscription {Subscription} ended with its grain failed ({Reason}); its lease runs out")]
    private partial void LogEndingFailed(string provider, Guid subscription, string reason);

    /// <summary>A subscription; <see cref="Grain"/> is the extension of the grain activation it belongs to, null for the process's.</summary>
    private sealed record Subscription(StreamId Stream, Type ItemType, IPushStreamConsumer Sink, PushSubscriber Subscriber, GrainConsumerExtension? Grain);
}
