using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Broker.Streaming;

/// <summary>
/// The producing side of one provider in one process: a <see cref="StreamOutlet"/> per stream something was
/// produced on lately. An outlet nothing was produced on for <see cref="PushStreamOptions.OutletIdleTimeout"/> is
/// dropped, so streams that ended (a gateway that went away) leave nothing behind; one made again for the same
/// stream numbers its items under a new epoch. Subscribers in this process are called directly, as
/// <paramref name="localSinks"/> finds them by subscription id (grains are not among them: they are called through Orleans).
/// </summary>
internal sealed class PushProducer(
    string providerName,
    Func<IGrainFactory> grains,
    Func<Guid, IPushStreamConsumer?> localSinks,
    PushStreamOptions options,
    TimeProvider time,
    ILogger logger)
    : IDisposable
{
    private readonly ConcurrentDictionary<StreamId, StreamOutlet> _outlets = new();
    private readonly Lock _gate = new();
    private ITimer? _sweep;

    public int OutletCount => _outlets.Count;

    /// <summary>
    /// Hands the items to the stream's subscribers after those of earlier calls, whether or not those were awaited; the
    /// task completes as <see cref="StreamOutlet.TryProduce"/> says.
    /// </summary>
    public Task ProduceAsync(StreamId stream, IReadOnlyList<object> items)
    {
        if (items.Count == 0)
        {
            return Task.CompletedTask;
        }

        while (true)
        {
            if (!_outlets.TryGetValue(stream, out var outlet))
            {
                outlet = _outlets.GetOrAdd(stream, id => new StreamOutlet(id, IPushStreamRegistryGrain.Of(grains(), providerName, id), localSinks, options, time, logger));
                lock (_gate)
                {
                    _sweep ??= time.CreateTimer(_ => Sweep(), null, options.OutletIdleTimeout, options.OutletIdleTimeout);
                }
            }

            if (outlet.TryProduce(items) is { } produced)
            {
                return produced;
            }

            // The sweep retired it meanwhile.
            _outlets.TryRemove(new KeyValuePair<StreamId, StreamOutlet>(stream, outlet));
        }
    }

    /// <summary>Drops the outlets nothing was produced on for the idle timeout.</summary>
    public void Sweep()
    {
        foreach (var (stream, outlet) in _outlets)
        {
            if (outlet.TryRetire(options.OutletIdleTimeout))
            {
                _outlets.TryRemove(new KeyValuePair<StreamId, StreamOutlet>(stream, outlet));
            }
        }
    }

    public void Dispose() => _sweep?.Dispose();
}
