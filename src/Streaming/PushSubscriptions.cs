using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Broker.Streaming;

/// <summary>
/// The subscribing side of one provider in one process: its subscriptions, each a sink registered with its
/// stream's registry, renewed every <see cref="PushStreamOptions.RenewalPeriod"/> so that a registry that lost them
/// has them again within one period.
/// </summary>
internal sealed partial class PushSubscriptions(string providerName, Func<IGrainFactory> grains, PushStreamOptions options, TimeProvider time, ILogger logger)
    : IDisposable
{
    private readonly ConcurrentDictionary<Guid, Subscription> _subscriptions = new();
    private readonly Lock _gate = new();
    private ITimer? _renewal;
    private bool _failing;
    private int _renewing;

    public async Task<Guid> AddAsync(StreamId stream, IPushStreamConsumer sink, Type itemType)
    {
        var id = Guid.NewGuid();
        var subscription = new Subscription(stream, itemType, sink, new PushSubscriber(id, grains().CreateObjectReference<IPushStreamConsumer>(sink)));
        await Registry(stream).Register(subscription.Subscriber, options.LeaseDuration);
        _subscriptions[id] = subscription;
        lock (_gate)
        {
            _renewal ??= time.CreateTimer(_ => _ = RenewAllAsync(), null, options.RenewalPeriod, options.RenewalPeriod);
        }

        return id;
    }

    public IPushStreamConsumer? SinkOf(Guid id) => _subscriptions.TryGetValue(id, out var subscription) ? subscription.Sink : null;

    public IEnumerable<Guid> Of(StreamId stream, Type itemType) =>
        _subscriptions.Where(entry => entry.Value.Stream == stream && entry.Value.ItemType == itemType).Select(entry => entry.Key);

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
            grains().DeleteObjectReference<IPushStreamConsumer>(subscription.Subscriber.Consumer);
            (subscription.Sink as IDisposable)?.Dispose();
        }
    }

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
        foreach (var subscription in _subscriptions.Values)
        {
            try
            {
                await Registry(subscription.Stream).Register(subscription.Subscriber, options.LeaseDuration);
            }
            catch (Exception exception)
            {
                failure ??= $"stream {subscription.Stream}: {exception.Message}";
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push streams {Provider}: renewing subscriptions failed ({Reason}); retrying every period")]
    private partial void LogRenewalsFailing(string provider, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push streams {Provider}: subscriptions are renewed again")]
    private partial void LogRenewalsRecovered(string provider);

    private sealed record Subscription(StreamId Stream, Type ItemType, IPushStreamConsumer Sink, PushSubscriber Subscriber);
}
