namespace Broker.Gateway.Options;

/// <summary>The instance rules' limits (section <c>Broker:Limits</c>); each violation gets the MQTT-correct reaction.</summary>
public sealed class LimitOptions
{
    /// <summary>Longer client ids get CONNACK 2.</summary>
    public int MaxClientIdLength { get; set; } = 64;

    /// <summary>Longer topics close the connection (PUBLISH) or get 0x80 (SUBSCRIBE).</summary>
    public int MaxTopicLength { get; set; } = 128;

    /// <summary>Larger PUBLISH payloads close the connection.</summary>
    public int MaxPayloadSize { get; set; } = 64 * 1024;

    /// <summary>Active subscriptions per connection; a SUBSCRIBE beyond them gets 0x80 for the extra filters.</summary>
    public int MaxSubscriptions { get; set; } = 100;

    /// <summary>Shorter keep-alives are raised to this.</summary>
    public TimeSpan MinKeepAlive { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longer keep-alives, and 0 (none), are lowered to this.</summary>
    public TimeSpan MaxKeepAlive { get; set; } = TimeSpan.FromMinutes(5);
}
