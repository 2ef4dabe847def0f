using Broker.Gateway.Routing;
using Broker.Grains;
using Broker.Streaming;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Broker.Gateway.Health;

/// <summary>
/// Readiness: the gateway is connected to the cluster and can reach it. One cheap grain call (the catalog's lookup,
/// which interleaves with everything) must answer in time. An outage is an expected state, so the result carries
/// its reason but no exception (which the health check service would log with its stack trace at every probe).
/// </summary>
internal sealed class ClusterHealthCheck(IGrainFactory grains, ClusterReadiness readiness) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (readiness.NotServing is { } reason)
        {
            return HealthCheckResult.Unhealthy(reason);
        }

        try
        {
            await grains.GetGrain<IInstanceCatalogGrain>(IInstanceCatalogGrain.Key).Get("").WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"the cluster does not answer: {FailureReason.Of(exception)}");
        }
    }
}
