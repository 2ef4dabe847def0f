using System.Diagnostics;
using Broker.Gateway.Telemetry;
using Broker.Grains;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Routing;

/// <summary>
/// This gateway's path into one instance. Publishes are batched with at most one <see cref="IInstanceGrain.Publish"/>
/// call in flight: whatever arrives meanwhile goes into the next call (group commit). That keeps each client's
/// order without waiting a round trip per message. The buffer is bounded in messages and bytes: when it is full, <see cref="EnqueueAsync"/>
/// waits, so the publishing connection stops reading and TCP pushes back.
/// </summary>
internal sealed partial class InstanceRouter(
    string instance,
    IInstanceGrain grain,
    string gatewayId,
    int maxBatchMessages,
    long maxBatchBytes,
    BrokerMetrics metrics,
    ILogger logger)
{
    private readonly Lock _gate = new();
    private List<PublishedMessage> _messages = [];
    private List<PendingAck> _acks = [];
    private TaskCompletionSource _accepted = NewCompletion();
    private TaskCompletionSource? _spaceAvailable;
    private long _pendingBytes;
    private bool _sending;

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

    /// <summary>Sends one batch and acknowledges its messages; returns why the instance did not accept it, or null.</summary>
    private async Task<Exception?> SendAsync(List<PublishedMessage> messages, List<PendingAck> acks)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await grain.Publish(new PublishBatch(gatewayId, [.. messages]));
            metrics.BatchSize.Record(messages.Count);
            metrics.PublishDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
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
        catch (Exception exception)
        {
            // The messages may or may not have been delivered; clients that wait for an acknowledgement learn of
            // the failure by losing their connection, and will publish again after reconnecting. Whoever waits for
            // the batch (an HTTP publish, a later SUBSCRIBE) fails with it.
            if (ClusterFailures.IsUnavailable(exception))
            {
                LogPublishUnavailable(instance, messages.Count, exception.Message);
            }
            else
            {
                LogPublishFailed(exception, instance, messages.Count);
            }

            foreach (var ack in acks)
            {
                ack.Connection.Abort("the instance did not accept a publish");
            }

            return new InstanceUnavailableException(instance, exception);
        }
    }

    private static TaskCompletionSource NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Count} messages to instance {Instance} failed: {Reason}")]
    private partial void LogPublishUnavailable(string instance, int count, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing {Count} messages to instance {Instance} failed")]
    private partial void LogPublishFailed(Exception exception, string instance, int count);
}
