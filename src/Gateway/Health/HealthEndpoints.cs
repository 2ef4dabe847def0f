using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Gateway.Health;

/// <summary>
/// Kubernetes probes on the HTTP ports: <c>/livez</c> answers as long as the process serves requests (local only,
/// so a cluster outage never gets gateways restarted), <c>/readyz</c> only while the cluster answers.
/// </summary>
internal static class HealthEndpoints
{
    private const string ReadinessTag = "ready";

    public static IServiceCollection AddBrokerHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: [ReadinessTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapBrokerHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/livez", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadinessTag) });
        return endpoints;
    }
}
