using Broker.Grains.Configuration;

namespace Broker.Gateway.Options;

/// <summary>The gateway's settings, bound from the <c>Broker</c> configuration section.</summary>
public sealed class GatewayOptions
{
    public BrokerMode Mode { get; set; } = BrokerMode.Development;

    public PortOptions Ports { get; init; } = new();

    public LimitOptions Limits { get; init; } = new();

    public DrainOptions Drain { get; init; } = new();

    /// <summary>
    /// The largest MQTT packet accepted, fixed header included; larger ones close the connection before their body
    /// is read. At most <see cref="Grains.PublishedMessage.MaxSize"/>, the largest message the cluster carries.
    /// </summary>
    public int MaxPacketSize { get; set; } = 256 * 1024;

    /// <summary>How long a new connection may take to send CONNECT.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Unacknowledged QoS 1 and 2 messages sent to one connection at a time.</summary>
    public int MaxInflightMessages { get; set; } = 64;

    /// <summary>QoS 1 and 2 messages waiting for the in-flight window of one connection; more disconnects it as a slow consumer.</summary>
    public int MaxQueuedMessages { get; set; } = 10_000;

    /// <summary>Bytes queued for one connection's socket beyond which QoS 0 messages are dropped.</summary>
    public long MaxQueuedBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Messages buffered per instance while a publish call is in flight; when full, publishers are not read.</summary>
    public int MaxBatchMessages { get; set; } = 4096;

    /// <summary>Payload bytes buffered per instance while a publish call is in flight; the same back-pressure applies.</summary>
    public long MaxBatchBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// How long a gateway keeps sending a publish batch that an instance did not accept (its silo died, the call timed
    /// out, the instance was being restored) before it gives up and disconnects the batch's QoS 1 and 2 publishers.
    /// It covers Orleans declaring a dead silo dead (about 15 s with its default probes), the grain's new activation,
    /// and the two lease renewal periods (20 s) that activation holds QoS 1 and 2 messages for. Zero: never again.
    /// </summary>
    public TimeSpan PublishRetryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a cluster gateway waits between attempts to reach a silo, at start and while none answers.</summary>
    public TimeSpan ClusterRetryPeriod { get; set; } = TimeSpan.FromSeconds(2);
}
