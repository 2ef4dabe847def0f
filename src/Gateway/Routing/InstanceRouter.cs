using System.Diagnostics;
using Broker.Gateway.Telemetry;
using Broker.Grains;
using Broker.Grains.Configuration;
using Broker.Streaming;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Routing;

/// <summary>
/// This gateway's path into one instance. Publishes are batched with at most one <see cref="IInstanceGrain.Publish"/>
/// call in flight: whatever arrives meanwhile goes into the next call (group commit). That keeps each client's
/// order without waiting a round trip per message. The buffer is bounded in messages and bytes: when it is full, <see cref="EnqueueAsync"/>
/// waits, so the publishing connection stops reading and TCP pushes back. A batch the instance did not accept (the
/// call failed or timed out because a silo died, the instance asked for this gateway's connections to be restored
/// first, held the batch while others restore theirs, or could not confirm it) is sent again with the same sequence
/// number, so that one activation routes it once, until it is accepted or <c>retryTimeout</c> has passed; newer
/// messages wait behind it, and the batch's messages are acknowledged only once it was accepted. Once the batch may
/// have been routed, its QoS 0 messages are left out (they are at most once): a batch of QoS 0 messages alone is not
/// sent again.
/// </summary>
internal sealed partial class InstanceRouter(
    string instance,
    IInstanceGrain grain,
    string gatewayId,
    InstanceLease lease,
    int maxBatchMessages,
    long maxBatchBytes,
    TimeSpan retryTimeout,
    TimeProvider time,
    BrokerMetrics metrics,
    ILogger logger)
{
    /// <summary>The wait before a batch is sent again the first time; it doubles up to <see cref="MaxRetryDelay"/>.</summary>
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private List<PublishedMessage> _messages = [];
    private List<PendingAck> _acks = [];
    private TaskCompletionSource _accepted = NewCompletion();
    private TaskCompletionSource? _spaceAvailable;
    private long _pendingBytes;
    private bool _sending;
    private long _sequence;

    /// <summary>
    /// Queues a message for the instance. The returned task completes when the instance has accepted the batch
    /// that carries it, so a later SUBSCRIBE from the same client can wait for its earlier publishes, and fails with
    /// <see cref="InstanceUnavailableException"/> when the instance did not accept it.
    /// </summary>
    public async ValueTask<Task> EnqueueAsync(PublishedMessage message, PendingAck? ack)
    {
        while (true)
        {
            Task? wait = null;
            Task accepted;
            bool start;
            lock (_gate)
            {
                if (_messages.Count >= maxBatchMessages || _pendingBytes >= maxBatchBytes)
                {
                    wait = (_spaceAvailable ??= NewCompletion()).Task;
                    accepted = Task.CompletedTask;
                    start = false;
                }
                else
                {
                    _messages.Add(message);
                    _pendingBytes += message.Payload.Length + message.Topic.Length;
                    if (ack is { } pending)
                    {
                        _acks.Add(pending);
                    }

                    accepted = _accepted.Task;
                    start = !_sending;
                    _sending = true;
                }
            }

            if (wait is not null)
            {
                await wait;
                continue;
            }

            if (start)
            {
                _ = SendLoopAsync();
            }

            return accepted;
        }
    }

    private async Task SendLoopAsync()
    {
        var spareMessages = new List<PublishedMessage>();
        var spareAcks = new List<PendingAck>();
        while (true)
        {
            List<PublishedMessage> messages;
            List<PendingAck> acks;
            TaskCompletionSource accepted;
            TaskCompletionSource? spaceAvailable;
            lock (_gate)
            {
                if (_messages.Count == 0)
                {
                    _sending = false;
                    return;
                }

                (messages, _messages) = (_messages, spareMessages);
                (acks, _acks) = (_acks, spareAcks);
                (accepted, _accepted) = (_accepted, NewCompletion());
                (spaceAvailable, _spaceAvailable) = (_spaceAvailable, null);
                _pendingBytes = 0;
            }

            spaceAvailable?.TrySetResult();
            if (await SendAsync(messages, acks) is { } failure)
            {
                accepted.TrySetException(failure);
            }
            else
            {
                accepted.TrySetResult();
            }

            messages.Clear();
            acks.Clear();
            (spareMessages, spareAcks) = (messages, acks);
        }
    }

    /// <summary>Sends one batch until it is accepted and acknowledges its messages; returns why the instance did not accept it, or null.</summary>
    private async Task<Exception?> SendAsync(List<PublishedMessage> messages, List<PendingAck> acks)
    {
        // A sampled batch is a trace: its calls into the instance, and the deliveries they lead to, are its spans.
        using var activity = BrokerTelemetry.Source.StartActivity("publish batch", ActivityKind.Producer);
        activity?.SetTag("broker.batch.messages", messages.Count);
        var batch = new PublishBatch(gatewayId, [.. messages], ++_sequence, lease.LeaseId);
        var started = time.GetTimestamp();
        var attempts = 0;
        var delay = FirstRetryDelay;
        while (true)
        {
            attempts++;
            string reason;
            var mayHaveBeenRouted = true;
            try
            {
                var outcome = await grain.Publish(batch);
                if (outcome is PublishOutcome.Routed or PublishOutcome.Repeated)
                {
                    break;
                }

                if (outcome == PublishOutcome.RestoreFirst)
                {
                    mayHaveBeenRouted = false;
                    var (_, restored) = await lease.RenewAsync(grain, gatewayId);
                    batch = batch with { LeaseId = lease.LeaseId };
                    reason = $"the instance had lost this gateway's connections; restored {restored ?? 0}";
                }
                else if (outcome == PublishOutcome.Held)
                {
                    mayHaveBeenRouted = false;
                    reason = "the instance was activated again and holds QoS 1 and 2 messages while gateways restore their subscriptions";
                }
                else if (outcome == PublishOutcome.StoreUnavailable)
                {
                    reason = "the instance cannot write its retained messages to its database";
                }
                else
                {
                    reason = "the instance's silo is stopping, and the deliveries may not have reached the gateways";
                }
            }
            catch (Exception exception) when (ClusterFailures.IsUnavailable(exception))
            {
                reason = FailureReason.Of(exception);
            }
            catch (Exception exception)
            {
                LogPublishFailed(exception, instance, messages.Count);
                return Refuse(acks, new InstanceUnavailableException(instance, exception));
            }

            // QoS 0 is at most once: what may have been routed goes again without it, and a batch of nothing else is not sent again.
            if (mayHaveBeenRouted)
            {
                batch = batch with { Messages = [.. batch.Messages.Where(message => message.Qos > 0)] };
            }

            if (batch.Messages.IsEmpty || time.GetElapsedTime(started) >= retryTimeout)
            {
                // The messages may or may not have been delivered; clients that wait for an acknowledgement learn of
                // the failure by losing their connection, and will publish again after reconnecting. Whoever waits for
                // the batch (an HTTP publish, a later SUBSCRIBE) fails with it.
                LogPublishUnavailable(instance, messages.Count, attempts, reason);
                return Refuse(acks, new InstanceUnavailableException(instance, reason));
            }

            // The wait is armed before it is counted and logged, so that a test's fake clock can be moved past it once either shows.
            var wait = Task.Delay(delay, time);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            metrics.PublishRetries.Add(1);
            if (attempts == 1)
            {
                LogRetrying(instance, messages.Count, reason, retryTimeout.TotalSeconds);
            }

            await wait;
        }

        var took = time.GetElapsedTime(started);
        if (attempts > 1)
        {
            LogAcceptedAgain(instance, messages.Count, attempts, took.TotalSeconds);
        }

        metrics.BatchSize.Record(messages.Count);
        metrics.PublishDuration.Record(took.TotalMilliseconds);
        foreach (var ack in acks)
        {
            ack.Connection.Acknowledge(ack.PacketId, ack.ExactlyOnce);
        }

        IConnectionSink? flushed = null;
        foreach (var ack in acks)
        {
            // A publisher's acknowledgements are mostly in a row: one flush for the row.
            if (!ReferenceEquals(ack.Connection, flushed))
            {
                flushed = ack.Connection;
                flushed.Flush();
            }
        }

        return null;
    }

    /// <summary>Disconnects the publishers waiting for an acknowledgement of a batch the instance did not accept; returns the failure.</summary>
    private static Exception Refuse(List<PendingAck> acks, Exception failure)
    {
        foreach (var ack in acks)
        {
            ack.Connection.Abort("the instance did not accept a publish");
        }

        return failure;
    }

    private static TaskCompletionSource NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Count} messages to instance {Instance} failed: {Reason}; sending the batch again for up to {Timeout} s")]
    private partial void LogRetrying(string instance, int count, string reason, double timeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance} accepted a batch of {Count} messages at attempt {Attempts}, {Seconds:F1} s after the first")]
    private partial void LogAcceptedAgain(string instance, int count, int attempts, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Count} messages to instance {Instance} failed after {Attempts} attempts: {Reason}")]
    private partial void LogPublishUnavailable(string instance, int count, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing {Count} messages to instance {Instance} failed")]
    private partial void LogPublishFailed(Exception exception, string instance, int count);
}
