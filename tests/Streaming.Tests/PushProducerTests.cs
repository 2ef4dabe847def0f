using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Streaming.Tests;

/// <summary>
/// A producing silo keeps what it knows of a stream only while something is produced on it: streams that ended
/// (a gateway that went away) leave nothing behind; and a failed lookup of a stream's subscribers is not kept.
/// </summary>
public sealed class PushProducerTests : IDisposable
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _time = new();
    private readonly RegistryOnlyGrainFactory _grains = RegistryOnlyGrainFactory.Create();
    private readonly PushProducer _producer;

    public PushProducerTests() =>
        _producer = new PushProducer("push", () => _grains.Factory, _ => null, new PushStreamOptions { OutletIdleTimeout = IdleTimeout }, _time, NullLogger.Instance);

    [Fact]
    public async Task AStreamNothingWasProducedOnForTheIdleTimeoutIsForgottenAndMadeAgainWhenUsed()
    {
        await _producer.ProduceAsync(StreamId.Create("numbers", "gone"), [1]);
        await _producer.ProduceAsync(StreamId.Create("numbers", "busy"), [1]);
        Assert.Equal(2, _producer.OutletCount);

        _time.Advance(IdleTimeout / 2);
        await _producer.ProduceAsync(StreamId.Create("numbers", "busy"), [2]);
        _time.Advance(IdleTimeout / 2 + TimeSpan.FromSeconds(1));

        Assert.Equal(1, _producer.OutletCount);
        await _producer.ProduceAsync(StreamId.Create("numbers", "gone"), [3]);
        Assert.Equal(2, _producer.OutletCount);
    }

    [Fact]
    public async Task NothingToProduceTouchesNoStream()
    {
        await _producer.ProduceAsync(StreamId.Create("numbers", "empty"), []);

        Assert.Equal(0, _producer.OutletCount);
        Assert.Equal(0, _grains.Registry.Lookups);
    }

    [Fact]
    public async Task ALookupThatFailedAtOnceIsAskedAgainByTheNextProduce()
    {
        var stream = StreamId.Create("numbers", "registry-down");
        _grains.Registry.FailuresToCome = 1;

        await Assert.ThrowsAsync<TimeoutException>(() => _producer.ProduceAsync(stream, [1]));
        await _producer.ProduceAsync(stream, [2]);

        Assert.Equal(2, _grains.Registry.Lookups);
    }

    public void Dispose() => _producer.Dispose();
}
