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
    /// <summary>Authenticates and registers a connection; takes over an older connection with the same client id.</summary>
    [Alias("Connect")]
    Task<ConnectResult> Connect(ConnectRequest request);

    /// <summary>Checks a token (null: no credentials) without registering anything, for the HTTP interface.</summary>
    [Alias("Authenticate")]
    Task<TokenAccess> Authenticate(string? secret);

    /// <summary>
    /// The most recent message published to a topic matching <paramref name="filter"/>, or with
    /// <paramref name="retained"/> the matching retained message; null when there is none.
    /// </summary>
    [Alias("GetLastMessage")]
    Task<PublishedMessage?> GetLastMessage(string filter, bool retained);

    /// <summary>Forgets a connection. An unclean end publishes the connection's will.</summary>
    [Alias("Disconnect")]
    Task Disconnect(ConnectionAddress connection, bool clean);

    /// <summary>Adds or replaces subscriptions and returns the retained messages that match them, in request order.</summary>
    [Alias("Subscribe")]
    Task<ImmutableArray<RetainedDelivery>> Subscribe(ConnectionAddress connection, ImmutableArray<SubscriptionRequest> subscriptions);

    [Alias("Unsubscribe")]
    Task Unsubscribe(ConnectionAddress connection, ImmutableArray<string> filters);

    /// <summary>Routes a batch of messages in order; returns once every delivery has been handed to the gateway streams.</summary>
    [Alias("Publish")]
    Task Publish(PublishBatch batch);

    /// <summary>Shows a rule a client broke as an <c>errored</c> event.</summary>
    [Alias("ReportError")]
    Task ReportError(ErrorReport report);

    /// <summary>The instance described as JSON: connections, subscriptions, retained messages, message rates.</summary>
    [Alias("GetInfo")]
    Task<byte[]> GetInfo();

    /// <summary>
    /// Takes a changed definition from the catalog: connections whose token is gone are closed; null means the
    /// instance was deleted, and all its connections and messages go.
    /// </summary>
    [Alias("Redefine")]
    Task Redefine(InstanceDefinition? definition);

    /// <summary>Keeps a gateway's connections alive, and tells it whether it must restore its state.</summary>
    [Alias("RenewLease")]
    Task<LeaseRenewal> RenewLease(string gatewayId);

    /// <summary>
    /// Re-registers a gateway's connections and subscriptions after the instance lost them. A connection whose
    /// client id has meanwhile connected elsewhere is closed instead: the newer connection keeps the session.
    /// </summary>
    [Alias("Restore")]
    Task Restore(string gatewayId, ImmutableArray<ConnectionSnapshot> connections);
}
