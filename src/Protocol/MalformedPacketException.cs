namespace Broker.Protocol;

/// <summary>
/// The bytes received are not a valid MQTT 3.1.1 packet. The message names the rule that was broken; the
/// connection logs it and closes, as the spec requires.
/// </summary>
public class MalformedPacketException(string reason) : Exception(reason);
