using Broker.Grains.Configuration;
using Broker.Grains.Events;
using Broker.Grains.Storage;
using Broker.Streaming;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Broker.Grains.Instances;

/// <summary>
/// The single ordering point of one instance. Every message of the instance passes through <see cref="Publish"/>
/// in one grain turn at a time, so all connections observe one order. Handlers never await a gateway while they
/// route: they collect deliveries per gateway and hand each gateway one batch on its inbox stream at the end of the
/// turn. A turn that routed a QoS 1 or 2 message then waits, before its call returns and the gateway acknowledges,
/// until the gateways have accepted those batches: once they have, a crash of this silo loses none of them. That
/// wait is the one exception to "no grain awaits a gateway", accepted because it comes after the routing and is
/// bounded by the push streams' confirmation timeout (a gateway that lags past it is not waited for, and may lose what
/// it had not received). Other turns do not wait: on push streams their batches stay ahead of later turns' without it.
/// Connections and subscriptions are soft state: gateways renew leases and restore them after a re-activation. A
/// gateway's publish batch is routed once per activation (by its sequence number), and only when the activation holds
/// the gateway's connections; an activation that gateways are restoring into holds QoS 1 and 2 messages until the
/// gateways the lost activation named have restored their subscriptions (<see cref="RestoreHold"/>).
/// Retained messages are not soft state: the grain reads them from its store when it activates, and a turn's retained
/// changes are written there before the turn's deliveries go out and its call returns, so an acknowledged retained
/// message is durable.
/// </summary>
public sealed partial class InstanceGrain(
    IOptions<LeaseOptions> leaseOptions,
    IOptions<InstanceStoreOptions> storeOptions,
    IRetainedMessageStore retainedStore,
    IGatewayRoster roster,
    InstanceMetrics metrics,
    IHostApplicationLifetime silo,
    TimeProvider time,
    ILogger<InstanceGrain> logger) : Grain, IInstanceGrain
{
    private readonly Guid _epoch = Guid.NewGuid();
    private readonly long _activatedAt = time.GetTimestamp();
    private readonly ConnectionTable _connections = new();
    private readonly InstanceMessages _messages = new(storeOptions.Value.LastMessageBytes);
    private readonly MessageRates _rates = new();
    private readonly RestoreHold _hold = new(leaseOptions.Value.RestoreWindow, time);
    private bool _keepsCallOrder;
    private bool _storeFailing;
    private readonly HashSet<string> _rostered = new(StringComparer.Ordinal);
    private bool _rosterFailing;
    private long _reportedRetained;
    private InstanceEventSource _events = null!;
    private InstanceSubscriptions _subscriptions = null!;
    private GatewayLeases _gateways = null!;
    private MessageRouter _router = null!;
    private TokenCheck _tokens = new(null);

    private string InstanceName => this.GetPrimaryKeyString();

    /// <summary>Milliseconds since the activation, for message rates.</summary>
    private long NowMilliseconds => (long)time.GetElapsedTime(_activatedAt).TotalMilliseconds;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _events = new InstanceEventSource(_epoch, (message, listener, rootSlash) => _gateways.Deliver(listener, message, 0, rootSlash));
        _subscriptions = new InstanceSubscriptions(_events);
        _keepsCallOrder = this.GetStreamProvider(BrokerStreams.ProviderName).KeepsCallOrder();
        _gateways = new GatewayLeases(InstanceName, leaseOptions.Value.Duration, _keepsCallOrder, time, OpenOutbox, logger);
        _router = new MessageRouter(_subscriptions, _messages, _gateways, _events);
        _tokens = new TokenCheck(await GrainFactory.GetGrain<IInstanceCatalogGrain>(IInstanceCatalogGrain.Key).Get(InstanceName));
        _messages.Restore(await retainedStore.LoadAsync(InstanceName));
        ReportRetained(_messages.Retained.Count);

        // Gateways that held connections in a lost activation: hold QoS 1 and 2 until they restore, and wake them now.
        var rostered = await roster.LoadAsync(InstanceName);
        _rostered.UnionWith(rostered);
        if (_hold.Expect(rostered) is { } window)
        {
            LogAwaitingGateways(InstanceName, rostered.Count, window.TotalSeconds);
        }

        foreach (var gateway in rostered)
        {
            _gateways.Renew(gateway).Wake();
        }

        await _gateways.SendAsync(confirm: false);
        var period = leaseOptions.Value.Duration / 3;
        this.RegisterGrainTimer(ExpireLeasesAsync, period, period);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ReportRetained(0);
        return Task.CompletedTask;
    }

    public async Task<ConnectResult> Connect(ConnectRequest request)
    {
        var (access, tokenId) = _tokens.Check(request.Secret);
        if (access == TokenAccess.Denied)
        {
            DeactivateIfUnknown();
            LogRejected(InstanceName, request.ClientId);
            return new ConnectResult(false, false, _epoch, LeaseId: Guid.Empty, Gateways: []);
        }

        var readOnly = access == TokenAccess.ReadOnly;

        // A will is a publish; a read-only token must not publish through it.
        var entry = Register(request.Connection, request.ClientId, readOnly, tokenId, readOnly ? null : request.Will);
        var leaseId = _gateways.Renew(request.Connection.GatewayId).LeaseId;
        _events.Connected(entry);
        await FlushWithRosterAsync();
        return new ConnectResult(true, readOnly, _epoch, leaseId, _gateways.WithConnections(), tokenId, _hold.Awaits(request.Connection.GatewayId));
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

    public Task<PublishedMessage?> GetLastMessage(string filter, bool retained) => Task.FromResult(_messages.Latest(filter, retained));

    public Task Disconnect(ConnectionAddress connection, bool clean)
    {
        if (!_connections.TryGet(connection, out var entry))
        {
            return Task.CompletedTask;
        }

        Remove(entry, publishWill: !clean);
        return FlushWithRosterAsync();
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

            _subscriptions.Add(entry, subscription);
            _router.AddRetained(subscription, deliveries);
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
                if (_subscriptions.Remove(entry, filter))
                {
                    _events.Unsubscribed(entry, filter);
                }
            }
        }

        return FlushAsync();
    }

    public async Task<PublishOutcome> Publish(PublishBatch batch)
    {
        var gateway = _gateways.Renew(batch.GatewayId);
        if (batch.Sequence <= gateway.LastPublishRouted)
        {
            LogRepeated(InstanceName, batch.GatewayId, batch.Sequence);
            return PublishOutcome.Repeated;
        }

        // Routed now, the batch would miss the subscribers of the gateway's connections that this activation lost.
        if (batch.LeaseId != Guid.Empty && batch.LeaseId != gateway.LeaseId)
        {
            return PublishOutcome.RestoreFirst;
        }

        var reliable = false;
        foreach (var message in batch.Messages)
        {
            reliable |= message.Qos > 0;
        }

        if (reliable && _hold.IsHolding)
        {
            return PublishOutcome.Held;
        }

        var delivered = 0;
        foreach (var message in batch.Messages)
        {
            if (message.Topic == SystemTopics.Action)
            {
                Act(message, PublisherOf(batch.GatewayId, message));
                continue;
            }

            // The publisher is looked up only for the events that name it.
            delivered += _router.Route(message, _events.HasListeners ? PublisherOf(batch.GatewayId, message) : null);
        }

        _rates.Record(NowMilliseconds, batch.Messages.Length, delivered);
        try
        {
            await FlushAsync(confirm: reliable);
        }
        catch (Exception exception) when (BrokerDatabase.IsUnavailable(exception))
        {
            // Said once per outage: the gateways send such batches again until the database is back.
            if (!_storeFailing)
            {
                _storeFailing = true;
                LogStoreUnavailable(InstanceName, FailureReason.Of(exception));
            }

            return PublishOutcome.StoreUnavailable;
        }

        if (_storeFailing)
        {
            _storeFailing = false;
            LogStoreBack(InstanceName);
        }

        // A stopping silo's calls to the gateways fail while it still answers its callers: what they carried is not confirmed.
        if (reliable && silo.ApplicationStopping.IsCancellationRequested)
        {
            LogUnconfirmed(InstanceName, batch.GatewayId, batch.Sequence);
            return PublishOutcome.Unconfirmed;
        }

        // Only a batch whose turn succeeded counts as routed: one that failed midway is routed again when it comes again.
        gateway.LastPublishRouted = batch.Sequence;
        return PublishOutcome.Routed;
    }

    public Task ReportError(ErrorReport report)
    {
        var connection = report.Connection is { } address ? _connections.Find(address) : null;
        _events.Errored(report.Code, report.Topic, connection);
        return FlushAsync();
    }

    public Task<byte[]> GetInfo() => Task.FromResult(Info());

    public async Task Redefine(InstanceDefinition? definition)
    {
        _tokens = new TokenCheck(definition);
        var revoked = _connections.All.Where(connection => !_tokens.IsValid(connection.TokenId)).ToList();
        foreach (var connection in revoked)
        {
            LogRevoked(InstanceName, connection.ClientId);
            Close(connection, publishWill: definition is not null, CloseReason.Revoked);
        }

        await FlushAsync();
        if (definition is null)
        {
            // A deleted instance forgets its messages, stored ones too, and its roster: the next activation of the name starts empty.
            await retainedStore.DeleteAsync(InstanceName);
            if (_rostered.Count > 0)
            {
                await roster.SaveAsync(InstanceName, [], [.. _rostered]);
            }

            DeactivateOnIdle();
        }
    }

    public Task<LeaseRenewal> RenewLease(string gatewayId)
    {
        var gateway = _gateways.Renew(gatewayId);
        return Task.FromResult(new LeaseRenewal(_epoch, gateway.LeaseId, gateway.Sequence, _gateways.WithConnections()));
    }

    public async Task Restore(string gatewayId, ImmutableArray<ConnectionSnapshot> connections, ImmutableArray<string> gateways)
    {
        var restored = 0;
        foreach (var snapshot in connections)
        {
            var address = new ConnectionAddress(gatewayId, snapshot.ConnectionId);
            if (!_connections.TryGet(address, out var entry))
            {
                if (RefusalOf(snapshot) is { } refusal)
                {
                    _gateways.Renew(gatewayId).AddClose(snapshot.ConnectionId, refusal);
                    continue;
                }

                entry = Register(address, snapshot.ClientId, snapshot.ReadOnly, snapshot.TokenId, snapshot.Will);
                restored++;
            }

            foreach (var subscription in snapshot.Subscriptions)
            {
                _subscriptions.Add(entry, subscription);
            }
        }

        LogRestored(InstanceName, gatewayId, connections.Length);
        var (started, unheard) = _hold.Restored(gatewayId, restored, gateways);
        if (started is { } left)
        {
            LogHoldingReliable(InstanceName, left.TotalSeconds);
        }

        // An empty batch from this activation makes a gateway that had connections here restore them now, not at its next renewal.
        foreach (var unheardGateway in unheard)
        {
            _gateways.Renew(unheardGateway).Wake();
        }

        await FlushWithRosterAsync();
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

    private ConnectionEntry Register(ConnectionAddress address, string clientId, bool readOnly, string? tokenId, PublishedMessage? will)
    {
        var entry = _connections.Register(address, clientId, readOnly, tokenId, will, out var takenOver);
        if (takenOver is not null)
        {
            LogTakeover(InstanceName, clientId);
            Close(takenOver, publishWill: true, CloseReason.TakenOver);
        }

        _gateways.Attach(address);
        return entry;
    }

    private void Remove(ConnectionEntry entry, bool publishWill)
    {
        _connections.Remove(entry);
        _subscriptions.RemoveAll(entry);
        _events.Disconnected(entry);
        _gateways.Detach(entry.Address);
        if (publishWill && entry.Will is { } will)
        {
            _router.Route(will, entry);
        }
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
        Close(target, publishWill: true, CloseReason.ClosedByAction);
    }

    /// <summary>Forgets a connection and tells its gateway to close it.</summary>
    private void Close(ConnectionEntry entry, bool publishWill, CloseReason reason)
    {
        Remove(entry, publishWill);
        _gateways.Close(entry.Address, reason);
    }

    /// <summary>Why a connection that a gateway restores is closed instead, or null when it may come back.</summary>
    private CloseReason? RefusalOf(ConnectionSnapshot snapshot) =>
        !_tokens.IsValid(snapshot.TokenId) ? CloseReason.Revoked
        : _connections.HoldsClientId(snapshot.ClientId) ? CloseReason.TakenOver
        : null;

    private ConnectionEntry? PublisherOf(string gatewayId, PublishedMessage message) =>
        message.PublisherId == 0 ? null : _connections.Find(new ConnectionAddress(gatewayId, message.PublisherId));

    private byte[] Info() => InstanceInfoWriter.Write(InstanceName, _connections.All, _messages.Retained, _rates, NowMilliseconds);

    private GatewayOutbox OpenOutbox(string gatewayId) => new(
        gatewayId,
        InstanceName,
        _epoch,
        this.GetStreamProvider(BrokerStreams.ProviderName).GetStream<InboxBatch>(BrokerStreams.GatewayInbox(gatewayId)),
        _keepsCallOrder,
        time);

    /// <summary>
    /// Ends a turn: its retained changes are written to the store, then its deliveries go out (also when the write
    /// failed, which the caller then sees); with <paramref name="confirm"/> it waits until the gateways accepted them.
    /// </summary>
    private async Task FlushAsync(bool confirm = false)
    {
        try
        {
            var changes = _messages.TakeRetainedChanges();
            if (changes.Count > 0)
            {
                var started = time.GetTimestamp();
                await retainedStore.SaveAsync(InstanceName, changes);
                metrics.StoreWriteDuration.Record(time.GetElapsedTime(started).TotalMilliseconds);
                ReportRetained(_messages.Retained.Count);
            }
        }
        finally
        {
            await _gateways.SendAsync(confirm);
        }
    }

    /// <summary>Brings the silo's count of retained messages to this instance's <paramref name="count"/>.</summary>
    private void ReportRetained(long count)
    {
        metrics.RetainedMessages.Add(count - _reportedRetained);
        _reportedRetained = count;
    }

    /// <summary>
    /// Ends a turn that may have changed which gateways hold connections here: the roster is written first, so that a
    /// gateway's first connection is on record before its CONNACK. While the activation holds for gateways it expects,
    /// none of them is struck off. A database that cannot be written leaves the roster as it was, to be written at
    /// the next such turn (said once per outage); only a silo's death meanwhile would then miss the change.
    /// </summary>
    private async Task FlushWithRosterAsync()
    {
        var holding = _gateways.WithConnections();
        var added = holding.Where(gateway => !_rostered.Contains(gateway)).ToList();
        var removed = _hold.IsHolding ? [] : _rostered.Where(gateway => !holding.Contains(gateway)).ToList();
        if (added.Count > 0 || removed.Count > 0)
        {
            try
            {
                await roster.SaveAsync(InstanceName, added, removed);
                _rostered.UnionWith(added);
                _rostered.ExceptWith(removed);
                _rosterFailing = false;
            }
            catch (Exception exception) when (BrokerDatabase.IsUnavailable(exception))
            {
                if (!_rosterFailing)
                {
                    _rosterFailing = true;
                    LogRosterUnavailable(InstanceName, FailureReason.Of(exception));
                }
            }
        }

        await FlushAsync();
    }

    /// <summary>A gateway that stopped renewing is gone: its connections end uncleanly and their wills are published.</summary>
    private Task ExpireLeasesAsync()
    {
        foreach (var gateway in _gateways.Expire())
        {
            foreach (var connectionId in gateway.Connections.ToArray())
            {
                if (_connections.TryGet(new ConnectionAddress(gateway.GatewayId, connectionId), out var entry))
                {
                    Remove(entry, publishWill: true);
                }
            }
        }

        return FlushWithRosterAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance} rejected the credentials of client {ClientId}")]
    private partial void LogRejected(string instance, string clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance}: client {ClientId} connected again, closing its older connection")]
    private partial void LogTakeover(string instance, string clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance}: closing the connection of client {ClientId}, its token or instance was deleted")]
    private partial void LogRevoked(string instance, string clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance}: an $action from {ClientId} is not a known action")]
    private partial void LogInvalidAction(string instance, string? clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance}: connection of client {ClientId} closed by an $action from {ActorId}")]
    private partial void LogClosedByAction(string instance, string clientId, string? actorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance}: gateway {Gateway} restored {Count} connections")]
    private partial void LogRestored(string instance, string gateway, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance} was activated again and gateways restore their connections: QoS 1 and 2 publishes wait until the gateways the lost activation knew have restored theirs, {Seconds:F1} s at most")]
    private partial void LogHoldingReliable(string instance, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance} was activated again and {Count} gateways held connections in it: QoS 1 and 2 publishes wait until they have restored theirs, {Seconds:F1} s at most")]
    private partial void LogAwaitingGateways(string instance, int count, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance}: the silo is stopping, so publish batch {Sequence} of gateway {Gateway} is not confirmed; the gateway sends it again")]
    private partial void LogUnconfirmed(string instance, string gateway, long sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {Instance} cannot write its retained messages: {Reason}; publishes with retained messages are not accepted until it can")]
    private partial void LogStoreUnavailable(string instance, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {Instance} cannot write which gateways hold its connections: {Reason}; it writes them at the next change that works, and until then a new activation after a silo's death may not wait for a gateway that joined meanwhile")]
    private partial void LogRosterUnavailable(string instance, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance} writes its retained messages again")]
    private partial void LogStoreBack(string instance);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Instance {Instance}: publish batch {Sequence} of gateway {Gateway} came again; routed once")]
    private partial void LogRepeated(string instance, string gateway, long sequence);
}
