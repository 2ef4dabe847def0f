namespace Broker.Gateway.Connections;

/// <summary>A well-formed packet that breaks the MQTT session rules; the connection is closed with this reason.</summary>
internal sealed class ProtocolViolationException(string reason) : Exception(reason);
