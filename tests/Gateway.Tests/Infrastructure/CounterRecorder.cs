using System.Diagnostics.Metrics;
using System.Threading.Channels;

namespace Broker.Gateway.Tests.Infrastructure;

/// <summary>
/// Every measurement of one counter made by the meters of one meter factory (so that other tests' meters do not
/// count), queued so that a test waits for the next one instead of sleeping.
/// </summary>
public sealed class CounterRecorder : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly MeterListener _listener = new();
    private readonly Channel<long> _measurements = Channel.CreateUnbounded<long>();
    private long _total;

    public CounterRecorder(IMeterFactory meters, string name)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == name && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            Interlocked.Add(ref _total, value);
            _measurements.Writer.TryWrite(value);
        });
        _listener.Start();
    }

    /// <summary>The sum of every measurement so far.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>The next measurement; throws when none comes in time.</summary>
    public async Task<long> NextAsync() => await _measurements.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    public void Dispose() => _listener.Dispose();
}
