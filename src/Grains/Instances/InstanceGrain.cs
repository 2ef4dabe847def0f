using System.Security.Cryptography;
using System.Text;
using Broker.Grains.Topics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Broker.Grains.Instances;

/// <summary>
/// The single ordering point of one instance. Every message of the instance passes through <see cref="Publish"/>
/// in one grain turn at a time, so all connections observe one order. Handlers never await a gateway: they
/// collect deliveries per gateway and hand each gateway one batch on its inbox stream at the end of the turn.
/// Connections and subscriptions are soft state: gateways renew leases and restore them after a re-activation.
/// </summary>
public sealed partial class InstanceGrain(
    IOptionsMonitor<InstanceCatalogOptions> catalog,
    IOptions<LeaseOptions> leaseOptions,
    IOptions<InstanceStoreOptions> storeOptions,
    ILogger<InstanceGrain> logger) : Grain, IInstanceGrain
{
    private readonly Guid _epoch = Guid.NewGuid();
    private readonly SubscriptionTrie<ConnectionAddress> _subscriptions = new();
    private readonly RetainedMessageStore<PublishedMessage> _retained = new();
    private readonly Dictionary<ConnectionAddress, ConnectionEntry> _connections = [];
    private readonly Dictionary<string, ConnectionEntry> _connectionsByClientId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GatewayOutbox> _gateways = new(StringComparer.Ordinal);
    private readonly Dictionary<ConnectionAddress, byte> _matches = [];
    private readonly List<PublishedMessage> _retainedMatches = [];
    private readonly TimeSpan _leaseDuration = leaseOptions.Value.Duration;
    private readonly LastMessageStore<PublishedMessage> _lastMessages = new(
        storeOptions.Value.LastMessageBytes,
        message => message.Topic.Length + message.Payload.Length + 64);

    private string InstanceName => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var period = _leaseDuration / 3;
        this.RegisterGrainTimer(ExpireLeasesAsync, period, period);
        return Task.CompletedTask;
    }

    public async Task<ConnectResult> Connect(ConnectRequest request)
    {
        var access = Check(request.Secret);
        if (access == TokenAccess.Denied)
        {
            LogRejected(InstanceName, request.ClientId);
            return new ConnectResult(false, false, _epoch, GatewayKnown: false);
        }

        var known = _gateways.ContainsKey(request.Connection.GatewayId);
        var readOnly = access == TokenAccess.ReadOnly;

        // A will is a publish; a read-only token must not publish through it.
        Register(request.Connection, request.ClientId, readOnly ? null : request.Will);
        await FlushAsync();
        return new ConnectResult(true, readOnly, _epoch, known);
    }

    public Task<TokenAccess> Authenticate(string? secret) => Task.FromResult(Check(secret));

    public Task<PublishedMessage?> GetLastMessage(string filter, bool retained)
    {
        if (!retained)
        {
            return Task.FromResult(_lastMessages.Latest(filter));
        }

        _retainedMatches.Clear();
        _retained.Match(filter, _retainedMatches);
        var match = _retainedMatches.Count > 0 ? _retainedMatches[0] : null;
        _retainedMatches.Clear();
        return Task.FromResult(match);
    }

    public Task Disconnect(ConnectionAddress connection, bool clean)
    {
        if (!_connections.TryGetValue(connection, out var entry))
        {
            return Task.CompletedTask;
        }

        Remove(entry, publishWill: !clean);
        return FlushAsync();
    }

    public Task<ImmutableArray<RetainedDelivery>> Subscribe(ConnectionAddress connection, ImmutableArray<SubscriptionRequest> subscriptions)
    {
        if (!_connections.TryGetValue(connection, out var entry))
        {
            return Task.FromResult(ImmutableArray<RetainedDelivery>.Empty);
        }

        // Several filters in one SUBSCRIBE act as several SUBSCRIBEs in a row, each with its own retained messages.
        var deliveries = ImmutableArray.CreateBuilder<RetainedDelivery>();
        foreach (var subscription in subscriptions)
        {
            Add(entry, subscription);
            _retainedMatches.Clear();
            _retained.Match(subscription.Filter, _retainedMatches);
            foreach (var message in _retainedMatches)
            {
                deliveries.Add(new RetainedDelivery(message, Math.Min(message.Qos, subscription.Qos), subscription.RootSlash));
            }
        }

        return Task.FromResult(deliveries.ToImmutable());
    }

    public Task Unsubscribe(ConnectionAddress connection, ImmutableArray<string> filters)
    {
        if (_connections.TryGetValue(connection, out var entry))
        {
            foreach (var filter in filters)
            {
                if (entry.Subscriptions.Remove(filter))
                {
                    _subscriptions.Remove(filter, connection);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task Publish(PublishBatch batch)
    {
        RenewLease(batch.GatewayId);
        foreach (var message in batch.Messages)
        {
            Route(message);
        }

        return FlushAsync();
    }

    public Task<LeaseRenewal> RenewLease(string gatewayId)
    {
        var known = _gateways.ContainsKey(gatewayId);
        var gateway = RenewLeaseOf(gatewayId);
        return Task.FromResult(new LeaseRenewal(_epoch, known, gateway.Sequence));
    }

    public async Task Restore(string gatewayId, ImmutableArray<ConnectionSnapshot> connections)
    {
        foreach (var snapshot in connections)
        {
            var address = new ConnectionAddress(gatewayId, snapshot.ConnectionId);
            if (!_connections.TryGetValue(address, out var entry))
            {
                if (_connectionsByClientId.ContainsKey(snapshot.ClientId))
                {
                    RenewLeaseOf(gatewayId).AddClose(snapshot.ConnectionId);
                    continue;
                }

                entry = Register(address, snapshot.ClientId, snapshot.Will);
            }

            foreach (var subscription in snapshot.Subscriptions)
            {
                Add(entry, subscription);
            }
        }

        LogRestored(InstanceName, gatewayId, connections.Length);
        await FlushAsync();
    }

    private TokenAccess Check(string? secret)
    {
        if (!catalog.CurrentValue.Instances.TryGetValue(InstanceName, out var instance))
        {
            return TokenAccess.Denied;
        }

        var anonymous = instance.AllowAnonymous ? TokenAccess.ReadWrite : TokenAccess.Denied;
        if (secret is null)
        {
            return anonymous;
        }

        var presented = Encoding.UTF8.GetBytes(secret);
        foreach (var token in instance.Tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(token.Secret)))
            {
                return token.ReadOnly ? TokenAccess.ReadOnly : TokenAccess.ReadWrite;
            }
        }

        return secret.Length == 0 ? anonymous : TokenAccess.Denied;
    }

    private void Add(ConnectionEntry entry, SubscriptionRequest subscription)
    {
        var grant = SubscriptionGrant.Encode(subscription.Qos, subscription.RootSlash);
        _subscriptions.Add(subscription.Filter, entry.Address, grant);
        entry.Subscriptions[subscription.Filter] = grant;
    }

    private ConnectionEntry Register(ConnectionAddress address, string clientId, PublishedMessage? will)
    {
        // Session takeover: the newest connection with a client id wins, wherever the older one lives.
        if (_connectionsByClientId.TryGetValue(clientId, out var previous) && previous.Address != address)
        {
            LogTakeover(InstanceName, clientId);
            Remove(previous, publishWill: true);
            if (_gateways.TryGetValue(previous.Address.GatewayId, out var previousGateway))
            {
                previousGateway.AddClose(previous.Address.ConnectionId);
            }
        }

        var entry = new ConnectionEntry(address, clientId, will);
        _connections[address] = entry;
        _connectionsByClientId[clientId] = entry;
        RenewLeaseOf(address.GatewayId).Connections.Add(address.ConnectionId);
        return entry;
    }

    private void Remove(ConnectionEntry entry, bool publishWill)
    {
        _connections.Remove(entry.Address);
        if (_connectionsByClientId.TryGetValue(entry.ClientId, out var current) && ReferenceEquals(current, entry))
        {
            _connectionsByClientId.Remove(entry.ClientId);
        }

        foreach (var filter in entry.Subscriptions.Keys)
        {
            _subscriptions.Remove(filter, entry.Address);
        }

        if (_gateways.TryGetValue(entry.Address.GatewayId, out var gateway))
        {
            gateway.Connections.Remove(entry.Address.ConnectionId);
        }

        if (publishWill && entry.Will is { } will)
        {
            Route(will);
        }
    }

    private void Route(PublishedMessage message)
    {
        _lastMessages.Set(message.Topic, message);
        if (message.Retain)
        {
            if (message.Payload.Length == 0)
            {
                _retained.Remove(message.Topic);
            }
            else
            {
                _retained.Set(message.Topic, message);
            }
        }

        _matches.Clear();
        _subscriptions.Match(message.Topic, _matches);
        foreach (var (address, grant) in _matches)
        {
            if (_gateways.TryGetValue(address.GatewayId, out var gateway))
            {
                gateway.AddDelivery(message, address.ConnectionId, Math.Min(SubscriptionGrant.Qos(grant), message.Qos), SubscriptionGrant.RootSlash(grant));
            }
        }
    }

    private GatewayOutbox RenewLeaseOf(string gatewayId)
    {
        if (!_gateways.TryGetValue(gatewayId, out var gateway))
        {
            var inbox = this.GetStreamProvider(BrokerStreams.ProviderName).GetStream<InboxBatch>(BrokerStreams.GatewayInbox(gatewayId));
            _gateways[gatewayId] = gateway = new GatewayOutbox(gatewayId, InstanceName, _epoch, inbox);
        }

        gateway.LeaseExpiresUtc = DateTime.UtcNow + _leaseDuration;
        return gateway;
    }

    private Task FlushAsync()
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

    /// <summary>A gateway that stopped renewing is gone: its connections end uncleanly and their wills are published.</summary>
    private Task ExpireLeasesAsync()
    {
        var now = DateTime.UtcNow;
        List<GatewayOutbox>? expired = null;
        foreach (var gateway in _gateways.Values)
        {
            if (gateway.LeaseExpiresUtc < now)
            {
                (expired ??= []).Add(gateway);
            }
        }

        if (expired is null)
        {
            return Task.CompletedTask;
        }

        foreach (var gateway in expired)
        {
            LogLeaseExpired(InstanceName, gateway.GatewayId, gateway.Connections.Count);
            _gateways.Remove(gateway.GatewayId);
            foreach (var connectionId in gateway.Connections.ToArray())
            {
                if (_connections.TryGetValue(new ConnectionAddress(gateway.GatewayId, connectionId), out var entry))
                {
                    Remove(entry, publishWill: true);
                }
            }
        }

        return FlushAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance} rejected the credentials of client {ClientId}")]
    private partial void LogRejected(string instance, string clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance}: client {ClientId} connected again, closing its older connection")]
    private partial void LogTakeover(string instance, string clientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {Instance}: lease of gateway {Gateway} expired, dropping its {Count} connections")]
    private partial void LogLeaseExpired(string instance, string gateway, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance}: gateway {Gateway} restored {Count} connections")]
    private partial void LogRestored(string instance, string gateway, int count);
}
