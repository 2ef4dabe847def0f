using System.Diagnostics.Metrics;
using System.Text;
using Broker.Gateway.Routing;
using Broker.Gateway.Telemetry;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Tests.Routing;

/// <summary>
/// The router against a grain whose calls the test ends: one call in flight, what arrives meanwhile in the next
/// call in order, a bounded buffer that makes publishers wait, acknowledgements only for an accepted batch, and a
/// refused batch that fails whoever waits for it.
/// </summary>
public sealed class InstanceRouterTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeInstanceGrain _grain = new();
    private readonly LogRecorder _log = new();
    private readonly RecordingSink _publisher = new(1);

    [Fact]
    public async Task AnAcceptedBatchAcknowledgesItsMessagesAndEndsTheWaitForIt()
    {
        var router = Router();

        var accepted = await router.EnqueueAsync(Message("a", qos: 1), new PendingAck(_publisher, 7, ExactlyOnce: false));
        var (batch, outcome) = await NextBatchAsync();

        Assert.Equal(["a"], Topics(batch));
        Assert.False(accepted.IsCompleted);
        Assert.False(_publisher.Acknowledged.Reader.TryRead(out _));
        outcome.SetResult();
        await accepted.WaitAsync(Timeout);
        Assert.Equal(7, await _publisher.Acknowledged.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task MessagesQueuedWhileACallIsInFlightGoInOneNextCallInTheirOrder()
    {
        var router = Router();

        await router.EnqueueAsync(Message("a"), ack: null);
        var (first, firstOutcome) = await NextBatchAsync();
        var secondAccepted = await router.EnqueueAsync(Message("b"), ack: null);
        await router.EnqueueAsync(Message("c"), ack: null);

        Assert.False(_grain.Batches.Reader.TryRead(out _));
        firstOutcome.SetResult();
        var (second, secondOutcome) = await NextBatchAsync();
        secondOutcome.SetResult();
        await secondAccepted.WaitAsync(Timeout);

        Assert.Equal(["a"], Topics(first));
        Assert.Equal(["b", "c"], Topics(second));
        Assert.Equal("gateway-1", second.GatewayId);
    }

    [Fact]
    public async Task AFullBufferMakesThePublisherWaitUntilTheNextCallTakesIt()
    {
        var router = Router(maxBatchMessages: 2);

        await router.EnqueueAsync(Message("in flight"), ack: null);
        var (_, firstOutcome) = await NextBatchAsync();
        await router.EnqueueAsync(Message("b"), ack: null);
        await router.EnqueueAsync(Message("c"), ack: null);
        var waiting = router.EnqueueAsync(Message("d"), ack: null).AsTask();

        Assert.False(waiting.IsCompleted);
        firstOutcome.SetResult();
        var (second, secondOutcome) = await NextBatchAsync();
        await waiting.WaitAsync(Timeout);
        secondOutcome.SetResult();
        var (third, thirdOutcome) = await NextBatchAsync();
        thirdOutcome.SetResult();

        Assert.Equal(["b", "c"], Topics(second));
        Assert.Equal(["d"], Topics(third));
    }

    [Fact]
    public async Task ABatchNoSiloAcceptedDisconnectsItsWaitingPublishersAndFailsTheWaitAsUnavailable()
    {
        var router = Router();

        var accepted = await router.EnqueueAsync(Message("a", qos: 1), new PendingAck(_publisher, 7, ExactlyOnce: false));
        var (_, outcome) = await NextBatchAsync();
        outcome.SetException(new TimeoutException("Response did not arrive on time"));

        var failure = await Assert.ThrowsAsync<InstanceUnavailableException>(() => accepted.WaitAsync(Timeout));
        Assert.Contains("Response did not arrive on time", failure.Message, StringComparison.Ordinal);
        Assert.Equal("the instance did not accept a publish", await _publisher.Aborted.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        Assert.False(_publisher.Acknowledged.Reader.TryRead(out _));
        var entry = Assert.Single(_log.Entries);
        Assert.Equal((LogLevel.Warning, null), (entry.Level, entry.Exception));
        Assert.Equal("Publishing 1 messages to instance demo failed: Response did not arrive on time", entry.Message);
    }

    [Fact]
    public async Task ABatchTheGrainFailedOnIsAnErrorWithItsStackTraceAndTheRouterGoesOn()
    {
        var router = Router();

        var failed = await router.EnqueueAsync(Message("a"), ack: null);
        var (_, outcome) = await NextBatchAsync();
        outcome.SetException(new InvalidOperationException("a bug"));
        await Assert.ThrowsAsync<InstanceUnavailableException>(() => failed.WaitAsync(Timeout));

        var accepted = await router.EnqueueAsync(Message("b"), ack: null);
        var (next, nextOutcome) = await NextBatchAsync();
        nextOutcome.SetResult();
        await accepted.WaitAsync(Timeout);

        Assert.Equal(["b"], Topics(next));
        var entry = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }

    public void Dispose() => _metrics.Dispose();

    private InstanceRouter Router(int maxBatchMessages = 100) => new(
        "demo",
        _grain,
        "gateway-1",
        maxBatchMessages,
        maxBatchBytes: 1 << 20,
        new BrokerMetrics(_metrics.GetRequiredService<IMeterFactory>()),
        _log.CreateLogger<InstanceRouter>());

    private async Task<(PublishBatch Batch, TaskCompletionSource Outcome)> NextBatchAsync() =>
        await _grain.Batches.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    private static PublishedMessage Message(string topic, byte qos = 0) => new(topic, Encoding.UTF8.GetBytes(topic), qos, Retain: false);

    private static string[] Topics(PublishBatch batch) => [.. batch.Messages.Select(message => message.Topic)];
}
