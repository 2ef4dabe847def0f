using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Broker.Streaming;

/// <summary>
/// A stream provider that pushes: a producer calls each subscriber's sink directly (one call in flight per
/// subscriber, what comes meanwhile in the next call), and subscribers are found in a registry grain per stream,
/// where they renew their subscriptions as leases. The same provider, under the same name, serves silos and clients.
/// A subscription made in a grain is the grain's, delivered in the grain's turns, for as long as its activation lasts
/// (see <see cref="GrainConsumerExtension"/>).
/// </summary>
internal sealed class PushStreamProvider : IStreamProvider, IDisposable
{
    public PushStreamProvider(string name, IServiceProvider services, PushStreamOptions options)
    {
        Name = name;
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Broker.Streaming");
        IGrainFactory Grains() => services.GetRequiredService<IGrainFactory>();
        IGrainContext? RunningActivation() => GrainConsumerExtension.RunningActivation(services.GetService<IGrainContextAccessor>());
        Subscriptions = new PushSubscriptions(name, Grains, RunningActivation, options, time, logger);
        Producer = new PushProducer(name, Grains, Subscriptions.DirectSinkOf, options, time, logger);
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
