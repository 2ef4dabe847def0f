using Broker.Grains;
using Broker.Streaming;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Routing;

/// <summary>
/// A connection's membership in an instance, as <see cref="InstanceLinks"/> made it when the instance accepted the
/// connection. It remembers when the instance accepted the connection's latest publish, so that what follows waits
/// for it: a retained message the client just sent is found by its next SUBSCRIBE, its own message published before
/// UNSUBSCRIBE is still delivered, and everything it published reaches the instance before its will.
/// </summary>
internal sealed partial class InstanceSession(
    InstanceLink link,
    IConnectionSink connection,
    ConnectionAddress address,
    ConnectResult result,
    ILogger logger) : IInstanceSession
{
    private Task _publishesAccepted = Task.CompletedTask;

    public bool ReadOnly => result.ReadOnly;

    public string? TokenId => result.TokenId;

    public async ValueTask PublishAsync(PublishedMessage message, ushort packetId)
    {
        PendingAck? ack = message.Qos == 0 ? null : new PendingAck(connection, packetId, ExactlyOnce: message.Qos == 2);
        _publishesAccepted = await link.Router.EnqueueAsync(message, ack);
    }

    public async Task<ImmutableArray<RetainedDelivery>> SubscribeAsync(ImmutableArray<SubscriptionRequest> subscriptions)
    {
        await _publishesAccepted;
        try
        {
            return await link.Grain.Subscribe(address, subscriptions);
        }
        catch (Exception exception) when (ClusterFailures.IsUnavailable(exception))
        {
            throw new InstanceUnavailableException(link.Instance, exception);
        }
    }

    public async Task UnsubscribeAsync(ImmutableArray<string> filters)
    {
        await _publishesAccepted;
        try
        {
            await link.Grain.Unsubscribe(address, filters);
        }
        catch (Exception exception) when (ClusterFailures.IsUnavailable(exception))
        {
            throw new InstanceUnavailableException(link.Instance, exception);
        }
    }

    public async Task ReportAsync(string code, string? topic)
    {
        try
        {
            await link.Grain.ReportError(new ErrorReport(address, code, topic));
        }
        catch (Exception exception) when (ClusterFailures.IsUnavailable(exception))
        {
            LogReportFailed(link.Instance, code, FailureReason.Of(exception));
        }
        catch (Exception exception)
        {
            LogReportError(exception, link.Instance, code);
        }
    }

    public async Task LeaveAsync(bool clean)
    {
        link.Lease.Left(connection);
        try
        {
            // A batch the instance did not accept was logged by the router; the disconnect is still owed.
            await _publishesAccepted.ContinueWith(static _ => { }, TaskScheduler.Default);
            await link.Grain.Disconnect(address, clean);
        }
        catch (Exception exception) when (ClusterFailures.IsUnavailable(exception))
        {
            // The instance drops the connection when this gateway's lease ends, and publishes the will then.
            LogLeaveFailed(link.Instance, FailureReason.Of(exception));
        }
        catch (Exception exception)
        {
            LogLeaveError(exception, link.Instance);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting the error {Code} to instance {Instance} failed: {Reason}")]
    private partial void LogReportFailed(string instance, string code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reporting the error {Code} to instance {Instance} failed")]
    private partial void LogReportError(Exception exception, string instance, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Telling instance {Instance} about a disconnect failed")]
    private partial void LogLeaveError(Exception exception, string instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telling instance {Instance} about a disconnect failed: {Reason}; its lease will settle it")]
    private partial void LogLeaveFailed(string instance, string reason);
}
