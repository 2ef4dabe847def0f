using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Broker.Streaming;

/// <summary>
/// The producing side of one provider in one process: a <see cref="StreamOutlet"/> per stream something was
/// produced on, numbering the stream's items under this producer's epoch.
/// </summary>
internal sealed class PushProducer(string providerName, Func<IGrainFactory> grains, PushStreamOptions options, TimeProvider time, ILogger logger)
{
    private readonly ConcurrentDictionary<StreamId, StreamOutlet> _outlets = new();

    public Guid Epoch { get; } = Guid.NewGuid();

    public Task ProduceAsync(StreamId stream, IReadOnlyList<object> items) =>
        _outlets.GetOrAdd(stream, id => new StreamOutlet(id, this, grains().GetGrain<IPushStreamRegistryGrain>(IPushStreamRegistryGrain.KeyOf(providerName, id)), options, time, logger))
            .ProduceAsync(items);
}
