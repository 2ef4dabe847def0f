using Broker.Grains;

namespace Broker.Gateway.Routing;

/// <summary>
/// A joined connection's membership in its instance. Calls come from the connection's read loop one at a time, and
/// act in that order: a subscribe, unsubscribe or leave waits until the instance has accepted every earlier publish.
/// </summary>
internal interface IInstanceSession
{
    /// <summary>Whether the client's token is read-only: its publishes must not be delivered.</summary>
    bool ReadOnly { get; }

    /// <summary>The token the client authenticated with (null: none).</summary>
    string? TokenId { get; }

    /// <summary>
    /// Queues a message for the instance; a QoS 1 or 2 message is acknowledged to the connection with
    /// <paramref name="packetId"/> once the instance accepted it. Completes when the message is queued: it waits
    /// while the instance's batch is full, so the publisher stops being read.
    /// </summary>
    ValueTask PublishAsync(PublishedMessage message, ushort packetId);

    /// <summary>Adds or replaces subscriptions; returns the retained messages that match, in request order.</summary>
    Task<ImmutableArray<RetainedDelivery>> SubscribeAsync(ImmutableArray<SubscriptionRequest> subscriptions);

    Task UnsubscribeAsync(ImmutableArray<string> filters);

    /// <summary>Shows a rule the client broke as an <c>errored</c> event. Never throws.</summary>
    Task ReportAsync(string code, string? topic);

    /// <summary>Leaves the instance; an unclean end publishes the will. Never throws: a lost call is settled by the lease.</summary>
    Task LeaveAsync(bool clean);
}
