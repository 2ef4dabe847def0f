using System.Collections.Concurrent;
using Broker.Gateway.Options;
using Broker.Gateway.Telemetry;
using Broker.Grains;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Broker.Gateway.Routing;

/// <summary>
/// The routers of the instances this gateway talks to, one per instance, created on first use. Only an instance
/// that let a client in gets one, so names made up by refused clients leave nothing behind.
/// </summary>
internal sealed class InstanceRouters(
    IGrainFactory grains,
    GatewayIdentity identity,
    IOptions<GatewayOptions> options,
    BrokerMetrics metrics,
    ILoggerFactory loggerFactory)
{
    private readonly ConcurrentDictionary<string, InstanceRouter> _routers = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger<InstanceRouter>();

    public InstanceRouter Get(string instance) =>
        _routers.GetOrAdd(instance, name => new InstanceRouter(
            name,
            grains.GetGrain<IInstanceGrain>(name),
            identity.Id,
            options.Value.MaxBatchMessages,
            options.Value.MaxBatchBytes,
            metrics,
            _logger));

    /// <summary>The instance's grain, for calls that need no router (authenticating a client).</summary>
    public IInstanceGrain Grain(string instance) => grains.GetGrain<IInstanceGrain>(instance);

    public bool TryGet(string instance, [NotNullWhen(true)] out InstanceRouter? router) => _routers.TryGetValue(instance, out router);
}
