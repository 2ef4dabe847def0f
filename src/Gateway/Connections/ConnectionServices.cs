using Broker.Gateway.Options;
using Broker.Gateway.Routing;
using Broker.Gateway.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Broker.Gateway.Connections;

/// <summary>The gateway-wide services every MQTT connection uses.</summary>
internal sealed class ConnectionServices(
    IOptions<GatewayOptions> options,
    ConnectionRegistry registry,
    IInstanceDirectory instances,
    BrokerMetrics metrics,
    TimeProvider time,
    ILogger<MqttConnection> logger)
{
    public GatewayOptions Options { get; } = options.Value;

    public TopicRules TopicRules { get; } = new(options.Value.Limits);

    public ConnectionRegistry Registry { get; } = registry;

    /// <summary>The connections' only way into the cluster.</summary>
    public IInstanceDirectory Instances { get; } = instances;

    public BrokerMetrics Metrics { get; } = metrics;

    public TimeProvider Time { get; } = time;

    public ILogger<MqttConnection> Logger { get; } = logger;
}
