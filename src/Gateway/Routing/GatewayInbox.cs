using System.Collections.Concurrent;
using System.Diagnostics;
using Broker.Gateway.Telemetry;
using Broker.Grains;
using Broker.Grains.Configuration;
using Broker.Streaming;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Broker.Gateway.Routing;

/// <summary>
/// This gateway's inbox stream: every instance sends it one batch per grain turn with the deliveries for its
/// connections here. <see cref="ClusterConnection"/> subscribes it before any connection joins. Stream subscriptions of clients
/// are soft state too, so the inbox remembers the last batch it received from each instance, and subscribes
/// again when the lease keeper finds that an instance sent batches that never arrived. Batches an instance numbers
/// consecutively; a batch that skips numbers shows that the ones between were dropped on the way (a silo whose
/// queue for this gateway overflowed), and the instance's QoS 1 and 2 subscribers here are disconnected. A batch from
/// another activation than the one the connections here are registered with means the instance was activated again:
/// they are restored at once (the new activation holds QoS 1 and 2 messages until they are).
/// </summary>
internal sealed partial class GatewayInbox(
    IClusterClient client,
    GatewayIdentity identity,
    InstanceLinks links,
    InboxSubscription subscription,
    BrokerMetrics metrics,
    ILogger<GatewayInbox> logger) : IAsyncObserver<InboxBatch>
{
    private readonly ConcurrentDictionary<string, (Guid Epoch, long Sequence)> _lastReceived = new(StringComparer.Ordinal);

    /// <summary>Whether every batch that an instance activation had sent by a lease renewal has arrived.</summary>
    public bool HasReceived(string instance, Guid epoch, long sequence) =>
        sequence == 0 || (_lastReceived.TryGetValue(instance, out var last) && (last.Epoch != epoch || last.Sequence >= sequence));

    public async Task ResubscribeAsync()
    {
        LogResubscribing(identity.Id);
        await UnsubscribeAsync();
        await SubscribeAsync();
    }

    public async Task SubscribeAsync()
    {
        var stream = client.GetStreamProvider(BrokerStreams.ProviderName).GetStream<InboxBatch>(BrokerStreams.GatewayInbox(identity.Id));
        subscription.Handle = await stream.SubscribeAsync(this);
        LogSubscribed(identity.Id);
    }

    public async Task UnsubscribeAsync()
    {
        if (subscription.Handle is { } handle)
        {
            try
            {
                await handle.UnsubscribeAsync();
            }
            catch (Exception exception)
            {
                LogUnsubscribeFailed(exception);
            }

            subscription.Handle = null;
        }
    }

    public Task OnNextAsync(InboxBatch batch, StreamSequenceToken? token = null)
    {
        using var activity = BrokerTelemetry.Source.StartActivity("deliver batch", ActivityKind.Consumer);
        activity?.SetTag("broker.batch.deliveries", batch.Deliveries.Length);
        var skipped = _lastReceived.TryGetValue(batch.Instance, out var last) && last.Epoch == batch.Epoch ? batch.Sequence - last.Sequence - 1 : 0;
        _lastReceived[batch.Instance] = (batch.Epoch, batch.Sequence);
        metrics.InboxDelay.Record(TimeSpan.FromTicks(DateTime.UtcNow.Ticks - batch.SentAtUtcTicks).TotalMilliseconds);

        // An empty batch is a wake-up: the instance asks for this gateway's connections, whether there are any or not.
        var wake = batch.Deliveries.IsEmpty && batch.ConnectionsToClose.IsEmpty;
        if (!links.TryGet(batch.Instance, out var link))
        {
            if (!wake)
            {
                return Task.CompletedTask;
            }

            link = links.Get(batch.Instance);
        }

        var lease = link.Lease;
        if (wake)
        {
            lease.RequestRestore();
        }

        if (wake || !lease.HeldBy(batch.Epoch))
        {
            links.RestoreAtOnce(link);
        }

        if (skipped > 0)
        {
            metrics.BatchesLost.Add(skipped);
            var aborted = lease.AbortReliableSubscribers($"{skipped} delivery batches of instance {batch.Instance} were lost on the way to this gateway");
            LogBatchesLost(skipped, batch.Instance, aborted);
        }

        List<IConnectionSink>? delivered = null;
        foreach (var delivery in batch.Deliveries)
        {
            if (lease.TryGetMember(delivery.ConnectionId, out var connection))
            {
                connection.Deliver(batch.Messages[delivery.MessageIndex], delivery.Qos, retain: false, delivery.RootSlash);
                delivered ??= [];
                if (delivered.Count == 0 || !ReferenceEquals(delivered[^1], connection))
                {
                    delivered.Add(connection);
                }
            }
        }

        // The whole batch is queued before anything is written, so each connection writes its share at once.
        foreach (var connection in delivered ?? [])
        {
            connection.Flush();
        }

        foreach (var close in batch.ConnectionsToClose)
        {
            if (lease.TryGetMember(close.ConnectionId, out var connection))
            {
                connection.Abort(close.Reason.Describe());
            }
        }

        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(ex);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} delivery batches of instance {Instance} were lost on the way to this gateway (a silo's queue for it overflowed); {Aborted} QoS 1/2 subscribers disconnected")]
    private partial void LogBatchesLost(long count, string instance, int aborted);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Gateway {Gateway} subscribed to its inbox stream")]
    private partial void LogSubscribed(string gateway);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway {Gateway} lost batches on its inbox stream; subscribing again")]
    private partial void LogResubscribing(string gateway);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsubscribing from the inbox stream failed")]
    private partial void LogUnsubscribeFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The inbox stream reported an error")]
    private partial void LogStreamError(Exception exception);
}
