using Broker.Grains;

namespace Broker.Gateway.Routing;

/// <summary>
/// What routing needs of a client connection, whatever holds its socket: a place to hand deliveries and
/// acknowledgements, a way to end it, and what the instance must know again after losing its soft state.
/// </summary>
internal interface IConnectionSink
{
    /// <summary>The gateway-local id, unique for the life of the gateway.</summary>
    long Id { get; }

    /// <summary>Queues a message from the instance for the client, at the QoS it was granted, until <see cref="Flush"/>.</summary>
    void Deliver(PublishedMessage message, byte qos, bool retain, bool rootSlash);

    /// <summary>The instance accepted the client's QoS 1 (PUBACK) or QoS 2 (PUBREC) message; queued until <see cref="Flush"/>.</summary>
    void Acknowledge(ushort packetId, bool exactlyOnce);

    /// <summary>
    /// Writes what <see cref="Deliver"/> and <see cref="Acknowledge"/> queued, from the calling thread when the
    /// connection's writer is idle; called once after a batch of them, so that the batch costs no thread hop.
    /// </summary>
    void Flush();

    /// <summary>Ends the connection uncleanly (its will is published).</summary>
    void Abort(string reason);

    /// <summary>The client id, will and subscriptions, for an instance that lost them.</summary>
    ConnectionSnapshot Snapshot();
}
