using Broker.Grains.Configuration;
using Broker.Grains.Events;
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
    IOptions<LeaseOptions> leaseOptions,
    IOptions<InstanceStoreOptions> storeOptions,
    TimeProvider time,
    ILogger<InstanceGrain> logger) : Grain, IInstanceGrain
{
    private readonly Guid _epoch = Guid.NewGuid();
    private readonly long _activatedAt = time.GetTimestamp();
    private readonly SubscriptionTrie<ConnectionAddress> _subscriptions = new();
    private readonly RetainedMessageStore<PublishedMessage> _retained = new();
    private readonly ConnectionTable _connections = new();
    private readonly Dictionary<ConnectionAddress, byte> _matches = [];
    private readonly List<PublishedMessage> _retainedMatches = [];
    private readonly LastMessageStore<PublishedMessage> _lastMessages = new(
        storeOptions.Value.LastMessageBytes,
        message => message.Topic.Length + message.Payload.Length + 64);
    private readonly MessageRates _rates = new();
    private InstanceEventSource _events = null!;
    private GatewayLeases _gateways = null!;
    private TokenCheck _tokens = new(null);

    private string InstanceName => this.GetPrimaryKeyString();

    /// <summary>Milliseconds since the activation, for message rates.</summary>
    private long NowMilliseconds => (long)time.GetElapsedTime(_activatedAt).TotalMilliseconds;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _events = new InstanceEventSource(_epoch, DeliverEvent);
        _gateways = new GatewayLeases(leaseOptions.Value.Duration, time, OpenOutbox);
        _tokens = new TokenCheck(await GrainFactory.GetGrain<IInstanceCatalogGrain>(IInstanceCatalogGrain.Key).Get(InstanceName));
        var period = leaseOptions.Value.Duration / 3;
        this.RegisterGrainTimer(ExpireLeasesAsync, period, period);
    }

    public async Task<ConnectResult> Connect(ConnectRequest request)
    {
        var (access, tokenId) = _tokens.Check(request.Secret);
        if (access == TokenAccess.Denied)
        {
            DeactivateIfUnknown();
            LogRejected(InstanceName, request.ClientId);
            return new ConnectResult(false, false, _epoch, GatewayKnown: false);
        }

        var known = _gateways.IsKnown(request.Connection.GatewayId);
        var readOnly = access == TokenAccess.ReadOnly;

        // A will is a publish; a read-only token must not publish through it.
        var entry = Register(request.Connection, request.ClientId, readOnly, tokenId, readOnly ? null : request.Will);
        _events.Connected(entry);
        await FlushAsync();
        return new ConnectResult(true, readOnly, _epoch, known, tokenId);
    }

    public Task<TokenAccess> Authenticate(string? secret)
    {
        var access = _tokens.Check(secret).Access;
        if (access == TokenAccess.Denied)
        {
            DeactivateIfUnknown();
        }

        return Task.FromResult(access);
    }

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
        if (!_connections.TryGet(connection, out var entry))
        {
            return Task.CompletedTask;
        }

        Remove(entry, publishWill: !clean);
        return FlushAsync();
    }

    public async Task<ImmutableArray<RetainedDelivery>> Subscribe(ConnectionAddress connection, ImmutableArray<SubscriptionRequest> subscriptions)
    {
        if (!_connections.TryGet(connection, out var entry))
        {
            return [];
        }

        // Several filters in one SUBSCRIBE act as several SUBSCRIBEs in a row, each with its own retained messages.
        var deliveries = ImmutableArray.CreateBuilder<RetainedDelivery>();
        foreach (var subscription in subscriptions)
        {
            _events.Subscribed(entry, subscription);
            if (subscription.Filter == SystemTopics.Info)
            {
                var info = new PublishedMessage(SystemTopics.Info, Info(), Qos: 0, Retain: true);
                deliveries.Add(new RetainedDelivery(info, 0, subscription.RootSlash));
                continue;
            }

            Add(entry, subscription);
            _retainedMatches.Clear();
            _retained.Match(subscription.Filter, _retainedMatches);
            foreach (var message in _retainedMatches)
            {
                deliveries.Add(new RetainedDelivery(message, Math.Min(message.Qos, subscription.Qos), subscription.RootSlash));
            }
        }

        // Events about the subscriptions go out now; the retained messages go back with the answer.
        await FlushAsync();
        return deliveries.ToImmutable();
    }

    public Task Unsubscribe(ConnectionAddress connection, ImmutableArray<string> filters)
    {
        if (_connections.TryGet(connection, out var entry))
        {
            foreach (var filter in filters)
            {
                if (entry.Subscriptions.Remove(filter))
                {
                    RemoveSubscription(entry, filter);
                    _events.Unsubscribed(entry, filter);
                }
            }
        }

        return FlushAsync();
    }

    public Task Publish(PublishBatch batch)
    {
        _gateways.Renew(batch.GatewayId);
        var delivered = 0;
        foreach (var message in batch.Messages)
        {
            if (message.Topic == SystemTopics.Action)
            {
                Act(message, PublisherOf(batch.GatewayId, message));
                continue;
            }

            // The publisher is looked up only for the events that name it.
            delivered += Route(message, _events.HasListeners ? PublisherOf(batch.GatewayId, message) : null);
        }

        _rates.Record(NowMilliseconds, batch.Messages.Length, delivered);
        return FlushAsync();
    }

    public Task ReportError(ErrorReport report)
    {
        var connection = report.Connection is { } address ? _connections.Find(address) : null;
        _events.Errored(report.Code, report.Topic, connection);
        return FlushAsync();
    }

    public Task<byte[]> GetInfo() => Task.FromResult(Info());

    public Task Redefine(InstanceDefinition? definition)
    {
        _tokens = new TokenCheck(definition);
        var revoked = _connections.All.Where(connection => !_tokens.IsValid(connection.TokenId)).ToList();
        foreach (var connection in revoked)
        {
            LogRevoked(InstanceName, connection.ClientId);
            Close(connection, publishWill: definition is not null);
        }

        if (definition is null)
        {
            // A deleted instance forgets its messages: the next activation of the name starts empty.
            DeactivateOnIdle();
        }

        return FlushAsync();
    }

    public Task<LeaseRenewal> RenewLease(string gatewayId)
    {
        var known = _gateways.IsKnown(gatewayId);
        var gateway = _gateways.Renew(gatewayId);
        return Task.FromResult(new LeaseRenewal(_epoch, known, gateway.Sequence));
    }

    public async Task Restore(string gatewayId, ImmutableArray<ConnectionSnapshot> connections)
    {
        foreach (var snapshot in connections)
        {
            var address = new ConnectionAddress(gatewayId, snapshot.ConnectionId);
            if (!_connections.TryGet(address, out var entry))
            {
                if (!_tokens.IsValid(snapshot.TokenId) || _connections.HoldsClientId(snapshot.ClientId))
                {
                    _gateways.Renew(gatewayId).AddClose(snapshot.ConnectionId);
                    continue;
                }

                entry = Register(address, snapshot.ClientId, snapshot.ReadOnly, snapshot.TokenId, snapshot.Will);
            }

            foreach (var subscription in snapshot.Subscriptions)
            {
                Add(entry, subscription);
            }
        }

        LogRestored(InstanceName, gatewayId, connections.Length);
        await FlushAsync();
    }

    /// <summary>
    /// An instance that does not exist goes as soon as it has refused a client, so that clients making up instance
    /// names cannot pile up activations.
    /// </summary>
    private void DeactivateIfUnknown()
    {
        if (!_tokens.InstanceExists && _connections.Count == 0)
        {
            DeactivateOnIdle();
        }
    }

    private void Add(ConnectionEntry entry, SubscriptionRequest subscription)
    {
        // $info answers each SUBSCRIBE and is not a standing subscription; $events makes the connection a listener.
        if (subscription.Filter == SystemTopics.Info)
        {
            return;
        }

        var grant = SubscriptionGrant.Encode(subscription.Qos, subscription.RootSlash);
        entry.Subscriptions[subscription.Filter] = grant;
        if (subscription.Filter == SystemTopics.Events)
        {
            _events.Listen(entry.Address, subscription.RootSlash);
        }
        else
        {
            _subscriptions.Add(subscription.Filter, entry.Address, grant);
        }
    }

    private void RemoveSubscription(ConnectionEntry entry, string filter)
    {
        if (filter == SystemTopics.Events)
        {
            _events.StopListening(entry.Address);
        }
        else
        {
            _subscriptions.Remove(filter, entry.Address);
        }
    }

    private ConnectionEntry Register(ConnectionAddress address, string clientId, bool readOnly, string? tokenId, PublishedMessage? will)
    {
        var entry = _connections.Register(address, clientId, readOnly, tokenId, will, out var takenOver);
        if (takenOver is not null)
        {
            LogTakeover(InstanceName, clientId);
            Close(takenOver, publishWill: true);
        }

        _gateways.Renew(address.GatewayId).Connections.Add(address.ConnectionId);
        return entry;
    }

    private void Remove(ConnectionEntry entry, bool publishWill)
    {
        _connections.Remove(entry);
        foreach (var filter in entry.Subscriptions.Keys)
        {
            RemoveSubscription(entry, filter);
        }

        _events.Disconnected(entry);

        if (_gateways.TryGet(entry.Address.GatewayId, out var gateway))
        {
            gateway.Connections.Remove(entry.Address.ConnectionId);
        }

        if (publishWill && entry.Will is { } will)
        {
            Route(will, entry);
        }
    }

    /// <summary>Stores and delivers a message; returns the number of deliveries.</summary>
    private int Route(PublishedMessage message, ConnectionEntry? publisher)
    {
        _events.Published(message, publisher);
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
        var delivered = 0;
        foreach (var (address, grant) in _matches)
        {
            // A connection that listens to $events receives only events.
            if (_gateways.TryGet(address.GatewayId, out var gateway) && !_events.IsListening(address))
            {
                gateway.AddDelivery(message, address.ConnectionId, Math.Min(SubscriptionGrant.Qos(grant), message.Qos), SubscriptionGrant.RootSlash(grant));
                delivered++;
            }
        }

        return delivered;
    }

    /// <summary>Carries out a command published to $action.</summary>
    private void Act(PublishedMessage message, ConnectionEntry? actor)
    {
        if (InstanceAction.Parse(message.Payload) is not { } action)
        {
            LogInvalidAction(InstanceName, actor?.ClientId);
            _events.Errored(ErrorCodes.InvalidAction, SystemTopics.Action, actor);
            return;
        }

        var target = _connections.FindById(action.TargetId);
        if (target is null)
        {
            _events.Errored(ErrorCodes.UnknownTarget, SystemTopics.Action, actor);
            return;
        }

        LogClosedByAction(InstanceName, target.ClientId, actor?.ClientId);
        _events.Triggered(action, actor);
        Close(target, publishWill: true);
    }

    /// <summary>Forgets a connection and tells its gateway to close it.</summary>
    private void Close(ConnectionEntry entry, bool publishWill)
    {
        Remove(entry, publishWill);
        if (_gateways.TryGet(entry.Address.GatewayId, out var gateway))
        {
            gateway.AddClose(entry.Address.ConnectionId);
        }
    }

    private ConnectionEntry? PublisherOf(string gatewayId, PublishedMessage message) =>
        message.PublisherId == 0 ? null : _connections.Find(new ConnectionAddress(gatewayId, message.PublisherId));

    private void DeliverEvent(PublishedMessage message, ConnectionAddress listener, bool rootSlash)
    {
        if (_gateways.TryGet(listener.GatewayId, out var gateway))
        {
            gateway.AddDelivery(message, listener.ConnectionId, 0, rootSlash);
        }
    }

    private byte[] Info() => InstanceInfoWriter.Write(InstanceName, _connections.All, _retained, _rates, NowMilliseconds);

    private GatewayOutbox OpenOutbox(string gatewayId) => new(
        gatewayId,
        InstanceName,
        _epoch,
        this.GetStreamProvider(BrokerStreams.ProviderName).GetStream<InboxBatch>(BrokerStreams.GatewayInbox(gatewayId)),
        time);

    private Task FlushAsync() => _gateways.SendAsync();

    /// <summary>A gateway that stopped renewing is gone: its connections end uncleanly and their wills are published.</summary>
    private Task ExpireLeasesAsync()
    {
        foreach (var gateway in _gateways.Expire())
        {
            LogLeaseExpired(InstanceName, gateway.GatewayId, gateway.Connections.Count);
            foreach (var connectionId in gateway.Connections.ToArray())
            {
                if (_connections.TryGet(new ConnectionAddress(gateway.GatewayId, connectionId), out var entry))
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance}: closing the connection of client {ClientId}, its token or instance was deleted")]
    private partial void LogRevoked(string instance, string clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance}: an $action from {ClientId} is not a known action")]
    private partial void LogInvalidAction(string instance, string? clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance}: connection of client {ClientId} closed by an $action from {ActorId}")]
    private partial void LogClosedByAction(string instance, string clientId, string? actorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance}: gateway {Gateway} restored {Count} connections")]
    private partial void LogRestored(string instance, string gateway, int count);
}
