using Broker.Gateway.Options;
using Broker.Gateway.Routing;
using Broker.Gateway.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Broker.Gateway.Connections;

/// <summary>The gateway-wide services every MQTT connection uses.</summary>
internal sealed class ConnectionServices(
    IOptions<GatewayOptions> options,
    GatewayIdentity identity,
    ConnectionRegistry registry,
    InstanceRouters routers,
    BrokerMetrics metrics,
    ILogger<MqttConnection> logger)
{
    public GatewayOptions Options { get; } = options.Value;

    public TopicRules TopicRules { get; } = new(options.Value.Limits);

    public GatewayIdentity Identity { get; } = identity;

    public ConnectionRegistry Registry { get; } = registry;

    public InstanceRouters Routers { get; } = routers;

    public BrokerMetrics Metrics { get; } = metrics;

    public ILogger<MqttConnection> Logger { get; } = logger;
}
