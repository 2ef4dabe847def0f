namespace Broker.Grains.Instances;

/// <summary>
/// The gateways an instance delivers to, each with its <see cref="GatewayOutbox"/> and its lease. A gateway
/// renews its lease while it has connections in the instance; one that has not renewed for the lease duration
/// is taken for gone. Time comes from a <see cref="TimeProvider"/>, and its monotonic timestamps, so that a
/// change of the wall clock expires no lease.
/// </summary>
internal sealed class GatewayLeases(TimeSpan duration, TimeProvider time, Func<string, GatewayOutbox> open)
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

    /// <summary>Forgets the gateways whose lease has run out by now and returns them, with the connections they had.</summary>
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
        }

        return expired;
    }

    /// <summary>Sends every gateway what the turn collected for it.</summary>
    public Task SendAsync()
    {
        List<Task>? sends = null;
        foreach (var gateway in _gateways.Values)
        {
            if (gateway.HasPending)
            {
                (sends ??= []).Add(gateway.SendAsync());
            }
        }

        return sends is null ? Task.CompletedTask : Task.WhenAll(sends);
    }
}
