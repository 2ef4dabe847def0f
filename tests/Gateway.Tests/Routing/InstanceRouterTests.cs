using System.Diagnostics.Metrics;
using System.Text;
using Broker.Gateway.Routing;
using Broker.Gateway.Telemetry;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Gateway.Tests.Routing;

/// <summary>
/// The router against a grain whose calls the test ends, on fake time: one call in flight, what arrives meanwhile in
/// the next call in order and under the next number, a bounded buffer that makes publishers wait, acknowledgements
/// only for an accepted batch, a batch the instance did not accept sent again with its number (after restoring the
/// gateway's connections when the instance asks for it) until the retry timeout, and then refused: its publishers
/// disconnected and whoever waits for it failed.
/// </summary>
public sealed class InstanceRouterTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryTimeout = TimeSpan.FromSeconds(1);

    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeInstanceGrain _grain = new();
    private readonly FakeTimeProvider _time = new();
    private readonly InstanceLease _lease = new();
    private readonly LogRecorder _log = new();
    private readonly RecordingSink _publisher = new(1);
    private readonly CounterRecorder _retries;

    public InstanceRouterTests() => _retries = new CounterRecorder(_metrics.GetRequiredService<IMeterFactory>(), "broker.publish.retries");

    [Theory]
    [InlineData(PublishOutcome.Routed)]
    [InlineData(PublishOutcome.Repeated)]
    public async Task AnAcceptedBatchAcknowledgesItsMessagesAndEndsTheWaitForIt(PublishOutcome outcome)
    {
        var router = Router();

        var accepted = await router.EnqueueAsync(Message("a", qos: 1), new PendingAck(_publisher, 7, ExactlyOnce: false));
        var (batch, answer) = await NextBatchAsync();

        Assert.Equal(["a"], Topics(batch));
        Assert.False(accepted.IsCompleted);
        Assert.False(_publisher.Acknowledged.Reader.TryRead(out _));
        answer.SetResult(outcome);
        await accepted.WaitAsync(Timeout);
        Assert.Equal(7, await _publisher.Acknowledged.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        Assert.Empty(_log.Entries);
    }

    [Fact]
    public async Task MessagesQueuedWhileACallIsInFlightGoInOneNextCallInTheirOrderUnderTheNextNumber()
    {
        var router = Router();

        await router.EnqueueAsync(Message("a"), ack: null);
        var (first, firstAnswer) = await NextBatchAsync();
        var secondAccepted = await router.EnqueueAsync(Message("b"), ack: null);
        await router.EnqueueAsync(Message("c"), ack: null);

        Assert.False(_grain.Batches.Reader.TryRead(out _));
        firstAnswer.SetResult(PublishOutcome.Routed);
        var (second, secondAnswer) = await NextBatchAsync();
        secondAnswer.SetResult(PublishOutcome.Routed);
        await secondAccepted.WaitAsync(Timeout);

        Assert.Equal(["a"], Topics(first));
        Assert.Equal(1L, first.Sequence);
        Assert.Equal(["b", "c"], Topics(second));
        Assert.Equal(2L, second.Sequence);
        Assert.Equal(("gateway-1", Guid.Empty), (second.GatewayId, second.LeaseId));
    }

    [Fact]
    public async Task AFullBufferMakesThePublisherWaitUntilTheNextCallTakesIt()
    {
        var router = Router(maxBatchMessages: 2);

        await router.EnqueueAsync(Message("in flight"), ack: null);
        var (_, firstAnswer) = await NextBatchAsync();
        await router.EnqueueAsync(Message("b"), ack: null);
        await router.EnqueueAsync(Message("c"), ack: null);
        var waiting = router.EnqueueAsync(Message("d"), ack: null).AsTask();

        Assert.False(waiting.IsCompleted);
        firstAnswer.SetResult(PublishOutcome.Routed);
        var (second, secondAnswer) = await NextBatchAsync();
        await waiting.WaitAsync(Timeout);
        secondAnswer.SetResult(PublishOutcome.Routed);
        var (third, thirdAnswer) = await NextBatchAsync();
        thirdAnswer.SetResult(PublishOutcome.Routed);

        Assert.Equal(["b", "c"], Topics(second));
        Assert.Equal(["d"], Topics(third));
    }

    [Fact]
    public async Task ABatchTheClusterCouldNotTakeIsSentAgainWithItsNumberAndAcknowledgedOnlyOnceAccepted()
    {
        var router = Router();

        var accepted = await router.EnqueueAsync(Message("a", qos: 1), new PendingAck(_publisher, 7, ExactlyOnce: false));
        var (first, firstAnswer) = await NextBatchAsync();
        firstAnswer.SetException(new SiloUnavailableException("The target silo became unavailable"));
        await _retries.NextAsync();
        var laterAccepted = await router.EnqueueAsync(Message("b", qos: 1), new PendingAck(_publisher, 8, ExactlyOnce: false));
        var acknowledgedWhileFailing = _publisher.Acknowledged.Reader.TryRead(out _);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var (again, againAnswer) = await NextBatchAsync();
        againAnswer.SetResult(PublishOutcome.Routed);
        await accepted.WaitAsync(Timeout);
        var (later, laterAnswer) = await NextBatchAsync();
        laterAnswer.SetResult(PublishOutcome.Routed);
        await laterAccepted.WaitAsync(Timeout);

        Assert.False(acknowledgedWhileFailing);
        Assert.Equal(["a"], Topics(again));
        Assert.Equal(1L, again.Sequence);
        Assert.Same(first.Messages.Single(), again.Messages.Single());
        Assert.Equal(["b"], Topics(later));
        Assert.Equal(2L, later.Sequence);
        Assert.Equal(7, await _publisher.Acknowledged.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        Assert.Equal(8, await _publisher.Acknowledged.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        Assert.False(_publisher.Aborted.Reader.TryRead(out _));
        Assert.Equal(1, _retries.Total);
        Assert.Equal(
            [
                (LogLevel.Warning, "Publishing 1 messages to instance demo failed: The target silo became unavailable; sending the batch again for up to 1 s"),
                (LogLevel.Information, "Instance demo accepted a batch of 1 messages at attempt 2, 0.1 s after the first"),
            ],
            _log.Entries.Select(entry => (entry.Level, entry.Message)));
        Assert.Empty(_log.Failures);
    }

    [Theory]
    [InlineData(PublishOutcome.Held, "holds QoS 1 and 2 messages while gateways restore their subscriptions", new[] { "x", "a" })]
    [InlineData(PublishOutcome.Unconfirmed, "silo is stopping, and the deliveries may not have reached the gateways", new[] { "a" })]
    public async Task ABatchTheInstanceHeldIsSentAgainWholeAndOneItCouldNotConfirmWithoutItsQoS0Messages(PublishOutcome outcome, string reason, string[] sentAgain)
    {
        var router = Router();

        var (first, accepted) = await TwoMessageBatchAsync(router);
        first.Outcome.SetResult(outcome);
        await _retries.NextAsync();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var (again, againAnswer) = await NextBatchAsync();
        againAnswer.SetResult(PublishOutcome.Routed);
        await accepted.WaitAsync(Timeout);

        Assert.Equal(["x", "a"], Topics(first.Batch));
        Assert.Equal(sentAgain, Topics(again));
        Assert.Equal(first.Batch.Sequence, again.Sequence);
        Assert.Equal(7, await _publisher.Acknowledged.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        Assert.Contains(reason, _log.Entries[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterACallThatFailedTheBatchIsSentAgainWithoutItsQoS0Messages()
    {
        var router = Router();

        var (first, accepted) = await TwoMessageBatchAsync(router);
        first.Outcome.SetException(new SiloUnavailableException("The target silo became unavailable"));
        await _retries.NextAsync();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var (again, againAnswer) = await NextBatchAsync();
        againAnswer.SetResult(PublishOutcome.Routed);
        await accepted.WaitAsync(Timeout);

        Assert.Equal(["a"], Topics(again));
        Assert.Equal(first.Batch.Sequence, again.Sequence);
    }

    [Fact]
    public async Task ABatchOfQoS0MessagesAloneIsNotSentAgainAfterACallThatFailed()
    {
        var router = Router();

        var failed = await router.EnqueueAsync(Message("x"), ack: null);
        (await NextBatchAsync()).Outcome.SetException(new SiloUnavailableException("The target silo became unavailable"));
        await Assert.ThrowsAsync<InstanceUnavailableException>(() => failed.WaitAsync(Timeout));
        var accepted = await router.EnqueueAsync(Message("y"), ack: null);
        var (next, nextAnswer) = await NextBatchAsync();
        nextAnswer.SetResult(PublishOutcome.Routed);
        await accepted.WaitAsync(Timeout);

        Assert.Equal(["y"], Topics(next));
        Assert.Equal(2L, next.Sequence);
        Assert.Equal(0, _retries.Total);
        Assert.Equal(
            [(LogLevel.Warning, "Publishing 1 messages to instance demo failed after 1 attempts: The target silo became unavailable")],
            _log.Entries.Select(entry => (entry.Level, entry.Message)));
    }

    [Fact]
    public async Task WhenTheInstanceLostThisGatewaysConnectionsTheyAreRestoredAndTheBatchSentAgainUnderTheNewLease()
    {
        var router = Router();
        var lostLease = Guid.NewGuid();
        _lease.Joined(_publisher, new ConnectResult(true, false, Guid.NewGuid(), lostLease, Gateways: []));

        var accepted = await router.EnqueueAsync(Message("a", qos: 1), new PendingAck(_publisher, 7, ExactlyOnce: false));
        var (first, firstAnswer) = await NextBatchAsync();
        firstAnswer.SetResult(PublishOutcome.RestoreFirst);
        var restored = await _grain.Restores.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
        await _retries.NextAsync();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var (again, againAnswer) = await NextBatchAsync();
        againAnswer.SetResult(PublishOutcome.Routed);
        await accepted.WaitAsync(Timeout);

        Assert.Equal((1L, lostLease), (first.Sequence, first.LeaseId));
        Assert.Equal((1L, _grain.LeaseId), (again.Sequence, again.LeaseId));
        Assert.Equal([_publisher.Id], restored.Connections.Select(snapshot => snapshot.ConnectionId));
        Assert.Equal(_grain.LeaseId, _lease.LeaseId);
        Assert.Equal(7, await _publisher.Acknowledged.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task ABatchNotAcceptedWithinTheRetryTimeoutDisconnectsItsPublishersAndFailsTheWaitAsUnavailable()
    {
        var router = Router();

        var accepted = await router.EnqueueAsync(Message("a", qos: 1), new PendingAck(_publisher, 7, ExactlyOnce: false));

        // Sent at 0, 0.1, 0.3, 0.7 and 1.5 s: the waits double from 0.1 s, and the fifth failure is past the timeout.
        foreach (var wait in new[] { 100, 200, 400, 800 })
        {
            (await NextBatchAsync()).Outcome.SetException(new TimeoutException("Response did not arrive on time"));
            await _retries.NextAsync();
            _time.Advance(TimeSpan.FromMilliseconds(wait));
        }

        (await NextBatchAsync()).Outcome.SetException(new TimeoutException("Response did not arrive on time"));
        var failure = await Assert.ThrowsAsync<InstanceUnavailableException>(() => accepted.WaitAsync(Timeout));

        Assert.Equal("instance 'demo' is unavailable: Response did not arrive on time", failure.Message);
        Assert.Equal("the instance did not accept a publish", await _publisher.Aborted.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        Assert.False(_publisher.Acknowledged.Reader.TryRead(out _));
        Assert.Equal(4, _retries.Total);
        Assert.Equal(
            [
                (LogLevel.Warning, "Publishing 1 messages to instance demo failed: Response did not arrive on time; sending the batch again for up to 1 s"),
                (LogLevel.Warning, "Publishing 1 messages to instance demo failed after 5 attempts: Response did not arrive on time"),
            ],
            _log.Entries.Select(entry => (entry.Level, entry.Message)));
        Assert.Empty(_log.Failures);
    }

    [Fact]
    public async Task ABatchTheGrainFailedOnIsAnErrorWithItsStackTraceIsNotSentAgainAndTheRouterGoesOn()
    {
        var router = Router();

        var failed = await router.EnqueueAsync(Message("a"), ack: null);
        var (_, answer) = await NextBatchAsync();
        answer.SetException(new InvalidOperationException("a bug"));
        await Assert.ThrowsAsync<InstanceUnavailableException>(() => failed.WaitAsync(Timeout));

        var accepted = await router.EnqueueAsync(Message("b"), ack: null);
        var (next, nextAnswer) = await NextBatchAsync();
        nextAnswer.SetResult(PublishOutcome.Routed);
        await accepted.WaitAsync(Timeout);

        Assert.Equal(["b"], Topics(next));
        Assert.Equal(2L, next.Sequence);
        Assert.Equal(0, _retries.Total);
        var entry = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }

    public void Dispose()
    {
        _retries.Dispose();
        _metrics.Dispose();
    }

    private InstanceRouter Router(int maxBatchMessages = 100) => new(
        "demo",
        _grain,
        "gateway-1",
        _lease,
        maxBatchMessages,
        maxBatchBytes: 1 << 20,
        RetryTimeout,
        _time,
        new BrokerMetrics(_metrics.GetRequiredService<IMeterFactory>()),
        _log.CreateLogger<InstanceRouter>());

    /// <summary>
    /// A second batch of a QoS 0 message "x" and a QoS 1 message "a" (acknowledged as packet 7), made while a first
    /// batch is in flight; that one is answered as routed. Returns the second call and the wait for its acceptance.
    /// </summary>
    private async Task<((PublishBatch Batch, TaskCompletionSource<PublishOutcome> Outcome) Call, Task Accepted)> TwoMessageBatchAsync(InstanceRouter router)
    {
        await router.EnqueueAsync(Message("in flight"), ack: null);
        var (_, inFlight) = await NextBatchAsync();
        await router.EnqueueAsync(Message("x"), ack: null);
        var accepted = await router.EnqueueAsync(Message("a", qos: 1), new PendingAck(_publisher, 7, ExactlyOnce: false));
        inFlight.SetResult(PublishOutcome.Routed);
        return (await NextBatchAsync(), accepted);
    }

    private async Task<(PublishBatch Batch, TaskCompletionSource<PublishOutcome> Outcome)> NextBatchAsync() =>
        await _grain.Batches.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    private static PublishedMessage Message(string topic, byte qos = 0) => new(topic, Encoding.UTF8.GetBytes(topic), qos, Retain: false);

    private static string[] Topics(PublishBatch batch) => [.. batch.Messages.Select(message => message.Topic)];
}
