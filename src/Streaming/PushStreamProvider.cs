using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Broker.Streaming;

/// <summary>
/// A stream provider that pushes: a producer calls each subscriber's sink directly (one call in flight per
/// subscriber, what comes meanwhile in the next call), and subscribers are found in a registry grain per stream,
/// where they renew their subscriptions as leases. The same provider, under the same name, serves silos and clients.
/// </summary>
internal sealed class PushStreamProvider : IStreamProvider, IDisposable
{
    public PushStreamProvider(string name, IServiceProvider services, PushStreamOptions options)
    {
        Name = name;
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Broker.Streaming");
        IGrainFactory Grains() => services.GetRequiredService<IGrainFactory>();
        Subscriptions = new PushSubscriptions(name, Grains, options, time, logger);
        Producer = new PushProducer(name, Grains, Subscriptions.SinkOf, options, time, logger);
    }

    public string Name { get; }

    public bool IsRewindable => false;

    public PushProducer Producer { get; }

    public PushSubscriptions Subscriptions { get; }

    public IAsyncStream<T> GetStream<T>(StreamId streamId) => new PushStream<T>(this, streamId);

    public void Dispose()
    {
        Producer.Dispose();
        Subscriptions.Dispose();
    }
}
