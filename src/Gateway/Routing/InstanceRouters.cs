using System.Collections.Concurrent;
using Broker.Gateway.Hosting;
using Broker.Gateway.Telemetry;
using Broker.Grains;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Broker.Gateway.Routing;

/// <summary>The routers of the instances this gateway talks to, one per instance, created on first use.</summary>
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

    public bool TryGet(string instance, [NotNullWhen(true)] out InstanceRouter? router) => _routers.TryGetValue(instance, out router);
}
