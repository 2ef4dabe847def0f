using Broker.Gateway.Routing;
using Broker.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Gateway.Http;

/// <summary>
/// Answers 503 to a request the cluster cannot serve now: before the gateway has connected to it, or when a grain
/// call finds no silo. The gateway logs no stack trace for it; it is an expected event while silos are down.
/// </summary>
internal static class ClusterUnavailableFilter
{
    public static async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!context.HttpContext.RequestServices.GetRequiredService<ClusterReadiness>().IsReady)
        {
            return Unavailable("the gateway is not connected to the cluster yet");
        }

        try
        {
            return await next(context);
        }
        catch (Exception exception) when (ClusterFailures.IsUnavailable(exception))
        {
            return Unavailable(FailureReason.Of(exception));
        }
    }

    private static IResult Unavailable(string reason) =>
        Results.Problem(reason, statusCode: StatusCodes.Status503ServiceUnavailable);
}
