namespace Broker.Protocol;

/// <summary>
/// The bytes received are not a valid MQTT 3.1.1 packet. The message names the rule that was broken; the
/// connection logs it and closes, as the spec requires. <see cref="Topic"/> is the topic name when that is what
/// broke the rule.
/// </summary>
public class MalformedPacketException(string reason, string? topic = null) : Exception(reason)
{
    public string? Topic { get; } = topic;
}
