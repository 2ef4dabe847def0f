namespace Broker.Gateway.Routing;

/// <summary>A PUBACK (QoS 1) or PUBREC (QoS 2) owed to a client once the batch carrying its message is accepted.</summary>
internal readonly record struct PendingAck(IConnectionSink Connection, ushort PacketId, bool ExactlyOnce);
