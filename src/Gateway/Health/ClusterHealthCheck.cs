using Broker.Grains;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Broker.Gateway.Health;

/// <summary>
/// Readiness: the gateway can reach the cluster. One cheap grain call (the catalog's lookup, which interleaves with
/// everything) must answer in time.
/// </summary>
internal sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.GetGrain<IInstanceCatalogGrain>(IInstanceCatalogGrain.Key).Get("").WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the cluster does not answer", exception);
        }
    }
}
