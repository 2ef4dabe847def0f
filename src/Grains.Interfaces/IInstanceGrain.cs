namespace Broker.Grains;

/// <summary>
/// One MQTT instance (an isolated namespace): the single ordering point of its messages. It holds the
/// subscription trie, the retained messages and the registry of connected clients, and fans deliveries out
/// to gateways through one inbox stream per gateway. Subscriptions are soft state owned by gateways, kept
/// alive by leases.
/// </summary>
[Alias("Broker.IInstanceGrain")]
public interface IInstanceGrain : IGrainWithStringKey
{
    /// <summary>
    /// How long a gateway waits for an answer. An instance answers in milliseconds; a call lost with a dead silo
    /// would otherwise wait Orleans' 30 s response timeout, holding up a CONNECT or a publish that could have failed
    /// over (or been refused, and retried by the client) long before.
    /// </summary>
    const string GatewayCallTimeout = "00:00:05";

    /// <summary>Authenticates and registers a connection; takes over an older connection with the same client id.</summary>
    [Alias("Connect"), ResponseTimeout(GatewayCallTimeout)]
    Task<ConnectResult> Connect(ConnectRequest request);

    /// <summary>Checks a token (null: no credentials) without registering anything, for the HTTP interface.</summary>
    [Alias("Authenticate"), ResponseTimeout(GatewayCallTimeout)]
    Task<TokenAccess> Authenticate(string? secret);

    /// <summary>
    /// The most recent message published to a topic matching <paramref name="filter"/>, or with
    /// <paramref name="retained"/> the matching retained message; null when there is none.
    /// </summary>
    [Alias("GetLastMessage"), ResponseTimeout(GatewayCallTimeout)]
    Task<PublishedMessage?> GetLastMessage(string filter, bool retained);

    /// <summary>Forgets a connection. An unclean end publishes the connection's will.</summary>
    [Alias("Disconnect"), ResponseTimeout(GatewayCallTimeout)]
    Task Disconnect(ConnectionAddress connection, bool clean);

    /// <summary>Adds or replaces subscriptions and returns the retained messages that match them, in request order.</summary>
    [Alias("Subscribe"), ResponseTimeout(GatewayCallTimeout)]
    Task<ImmutableArray<RetainedDelivery>> Subscribe(ConnectionAddress connection, ImmutableArray<SubscriptionRequest> subscriptions);

    [Alias("Unsubscribe"), ResponseTimeout(GatewayCallTimeout)]
    Task Unsubscribe(ConnectionAddress connection, ImmutableArray<string> filters);

    /// <summary>
    /// Routes a batch of messages in order. A batch with a QoS 1 or 2 message returns once its deliveries have been
    /// accepted by the gateways (or given up on: a lost or lagging gateway); others once they are on their way. An
    /// outcome other than routed or repeated asks the gateway to send the batch again. The short timeout lets a gateway
    /// send a batch again soon when its call was lost with a silo; the batch's sequence number makes that safe.
    /// </summary>
    [Alias("Publish"), ResponseTimeout(GatewayCallTimeout)]
    Task<PublishOutcome> Publish(PublishBatch batch);

    /// <summary>Shows a rule a client broke as an <c>errored</c> event.</summary>
    [Alias("ReportError"), ResponseTimeout(GatewayCallTimeout)]
    Task ReportError(ErrorReport report);

    /// <summary>The instance described as JSON: connections, subscriptions, retained messages, message rates.</summary>
    [Alias("GetInfo"), ResponseTimeout(GatewayCallTimeout)]
    Task<byte[]> GetInfo();

    /// <summary>
    /// Takes a changed definition from the catalog: connections whose token is gone are closed; null means the
    /// instance was deleted, and all its connections and messages go.
    /// </summary>
    [Alias("Redefine")]
    Task Redefine(InstanceDefinition? definition);

    /// <summary>
    /// Keeps a gateway's connections alive, and tells it whether it must restore its state. A renewal lost with a silo
    /// times out soon, so that the next one, and the restore it may bring, is not held back by the default 30 s.
    /// </summary>
    [Alias("RenewLease"), ResponseTimeout(GatewayCallTimeout)]
    Task<LeaseRenewal> RenewLease(string gatewayId);

    /// <summary>
    /// Re-registers a gateway's connections and subscriptions after the instance lost them. A connection whose
    /// client id has meanwhile connected elsewhere is closed instead: the newer connection keeps the session.
    /// <paramref name="gateways"/> are the gateways the lost activation last named as holding connections
    /// (<see cref="LeaseRenewal.Gateways"/>): a new activation holds QoS 1 and 2 messages until they have restored theirs.
    /// </summary>
    [Alias("Restore"), ResponseTimeout(GatewayCallTimeout)]
    Task Restore(string gatewayId, ImmutableArray<ConnectionSnapshot> connections, ImmutableArray<string> gateways);
}
