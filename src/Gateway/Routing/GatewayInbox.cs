using Broker.Gateway.Connections;
using Broker.Gateway.Hosting;
using Broker.Grains;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Broker.Gateway.Routing;

/// <summary>
/// This gateway's inbox stream: every instance sends it one batch per grain turn with the deliveries for its
/// connections here. The subscription is made before the MQTT listener opens.
/// </summary>
internal sealed partial class GatewayInbox(
    IClusterClient client,
    GatewayIdentity identity,
    ConnectionRegistry registry,
    ILogger<GatewayInbox> logger) : IHostedService, IAsyncObserver<InboxBatch>
{
    private StreamSubscriptionHandle<InboxBatch>? _subscription;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stream = client.GetStreamProvider(BrokerStreams.ProviderName).GetStream<InboxBatch>(BrokerStreams.GatewayInbox(identity.Id));
        _subscription = await stream.SubscribeAsync(this);
        LogSubscribed(identity.Id);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_subscription is not null)
        {
            try
            {
                await _subscription.UnsubscribeAsync();
            }
            catch (Exception exception)
            {
                LogUnsubscribeFailed(exception);
            }
        }
    }

    public Task OnNextAsync(InboxBatch batch, StreamSequenceToken? token = null)
    {
        foreach (var delivery in batch.Deliveries)
        {
            if (registry.TryGet(delivery.ConnectionId, out var connection))
            {
                connection.Deliver(batch.Messages[delivery.MessageIndex], delivery.Qos, retain: false);
            }
        }

        foreach (var connectionId in batch.ConnectionsToClose)
        {
            if (registry.TryGet(connectionId, out var connection))
            {
                connection.Abort("session taken over by a newer connection with the same client id");
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Gateway {Gateway} subscribed to its inbox stream")]
    private partial void LogSubscribed(string gateway);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsubscribing from the inbox stream failed")]
    private partial void LogUnsubscribeFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The inbox stream reported an error")]
    private partial void LogStreamError(Exception exception);
}
