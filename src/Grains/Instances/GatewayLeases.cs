using Microsoft.Extensions.Logging;

namespace Broker.Grains.Instances;

/// <summary>
/// The gateways an instance delivers to, each with its <see cref="GatewayOutbox"/> and its lease. A gateway
/// renews its lease while it has connections in the instance; one that has not renewed for the lease duration
/// is taken for gone. Time comes from a <see cref="TimeProvider"/>, and its monotonic timestamps, so that a
/// change of the wall clock expires no lease.
/// </summary>
/// <remarks>
/// A gateway stops renewing when its last connection here has left, so the lease of a gateway without
/// connections runs out as a matter of course, which is no news. It is kept until then rather than dropped with
/// the last connection, because dropping it at once would make two things common that are rare now: a renewal
/// already on its way finds the gateway unknown and makes it restore connections that have just left, and the
/// next outbox for the gateway starts its batch sequence at 1 again, below the last one the gateway saw, which
/// the gateway takes for lost batches.
/// </remarks>
internal sealed partial class GatewayLeases(
    string instance,
    TimeSpan duration,
    bool keepsCallOrder,
    TimeProvider time,
    Func<string, GatewayOutbox> open,
    ILogger logger)
{
    private readonly Dictionary<string, GatewayOutbox> _gateways = new(StringComparer.Ordinal);

    public bool IsKnown(string gatewayId) => _gateways.ContainsKey(gatewayId);

    /// <summary>Extends a gateway's lease by the lease duration from now; a gateway seen for the first time gets an outbox.</summary>
    public GatewayOutbox Renew(string gatewayId)
    {
        if (!_gateways.TryGetValue(gatewayId, out var gateway))
        {
            _gateways[gatewayId] = gateway = open(gatewayId);
        }

        gateway.LeaseRenewedAt = time.GetTimestamp();
        return gateway;
    }

    /// <summary>The gateways that hold connections here.</summary>
    public ImmutableArray<string> WithConnections()
    {
        var gateways = ImmutableArray.CreateBuilder<string>();
        foreach (var gateway in _gateways.Values)
        {
            if (gateway.Connections.Count > 0)
            {
                gateways.Add(gateway.GatewayId);
            }
        }

        return gateways.ToImmutable();
    }

    /// <summary>Takes note of a connection on its gateway, which renews the gateway's lease.</summary>
    public void Attach(ConnectionAddress connection) => Renew(connection.GatewayId).Connections.Add(connection.ConnectionId);

    /// <summary>Takes note that a connection is gone; its gateway keeps its lease.</summary>
    public void Detach(ConnectionAddress connection)
    {
        if (_gateways.TryGetValue(connection.GatewayId, out var gateway))
        {
            gateway.Connections.Remove(connection.ConnectionId);
        }
    }

    /// <summary>Adds a delivery for a connection to its gateway's outbox; false when the gateway holds no lease, so nothing would reach it.</summary>
    public bool Deliver(ConnectionAddress connection, PublishedMessage message, byte qos, bool rootSlash)
    {
        if (!_gateways.TryGetValue(connection.GatewayId, out var gateway))
        {
            return false;
        }

        gateway.AddDelivery(message, connection.ConnectionId, qos, rootSlash);
        return true;
    }

    /// <summary>Tells a connection's gateway to close it, if the gateway holds a lease.</summary>
    public void Close(ConnectionAddress connection, CloseReason reason)
    {
        if (_gateways.TryGetValue(connection.GatewayId, out var gateway))
        {
            gateway.AddClose(connection.ConnectionId, reason);
        }
    }

    /// <summary>
    /// Forgets the gateways whose lease has run out by now and returns them, with the connections they had, for
    /// the instance to drop. Only a gateway that had connections is worth a warning: it went away without them.
    /// </summary>
    public IReadOnlyList<GatewayOutbox> Expire()
    {
        List<GatewayOutbox>? expired = null;
        foreach (var gateway in _gateways.Values)
        {
            if (time.GetElapsedTime(gateway.LeaseRenewedAt) > duration)
            {
                (expired ??= []).Add(gateway);
            }
        }

        if (expired is null)
        {
            return [];
        }

        foreach (var gateway in expired)
        {
            _gateways.Remove(gateway.GatewayId);
            if (gateway.Connections.Count > 0)
            {
                LogExpired(instance, gateway.GatewayId, gateway.Connections.Count);
            }
            else
            {
                LogExpiredIdle(instance, gateway.GatewayId);
            }
        }

        return expired;
    }

    /// <summary>
    /// Sends every gateway what the turn collected for it. With <paramref name="confirm"/> the task completes once the
    /// gateways have accepted it (or it was given up on: see the push streams' produce); without, once it is on its way:
    /// at once on a stream that keeps the order of calls not awaited, and a failure to send is logged instead of thrown.
    /// </summary>
    public Task SendAsync(bool confirm)
    {
        var wait = confirm || !keepsCallOrder;
        Task? first = null;
        List<Task>? more = null;
        foreach (var gateway in _gateways.Values)
        {
            if (!gateway.HasPending)
            {
                continue;
            }

            var sent = gateway.SendAsync();
            if (!wait)
            {
                LogIfFailed(sent, gateway.GatewayId);
            }
            else if (first is null)
            {
                first = sent;
            }
            else
            {
                (more ??= [first]).Add(sent);
            }
        }

        return more is not null ? Task.WhenAll(more) : first ?? Task.CompletedTask;
    }

    private void LogIfFailed(Task sent, string gatewayId)
    {
        if (sent.IsCompletedSuccessfully)
        {
            return;
        }

        // Off the grain: it only logs.
        _ = sent.ContinueWith(
            static (failed, state) =>
            {
                var (leases, gatewayId) = ((GatewayLeases, string))state!;
                leases.SendFailed(gatewayId, failed.Exception!.GetBaseException().Message);
            },
            (this, gatewayId),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void SendFailed(string gatewayId, string reason) => LogSendFailed(instance, gatewayId, reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {Instance}: deliveries to gateway {Gateway} could not be sent ({Reason}); that turn's deliveries and closes for it are lost")]
    private partial void LogSendFailed(string instance, string gateway, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {Instance}: lease of gateway {Gateway} expired, dropping its {Count} connections")]
    private partial void LogExpired(string instance, string gateway, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Instance {Instance}: lease of gateway {Gateway} expired; it had no connections left")]
    private partial void LogExpiredIdle(string instance, string gateway);
}
