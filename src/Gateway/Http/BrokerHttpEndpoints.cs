using System.Net.Http.Headers;
using System.Text;
using Broker.Gateway.Connections;
using Broker.Gateway.Routing;
using Broker.Grains;
using Broker.Grains.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Broker.Gateway.Http;

/// <summary>
/// The HTTP interface of an instance: <c>POST /broker/&lt;topic&gt;</c> publishes the body and answers once the
/// instance accepted it (so waited-for requests stay in order; <c>$action</c> takes commands);
/// <c>GET /broker/&lt;filter&gt;</c> returns the last (or with <c>?retained=true</c> the retained) message matching the
/// filter, and <c>GET /broker/$info</c> the instance's description. HTTP Basic authentication with
/// instance and token; in development mode no credentials means instance <c>local</c>.
/// </summary>
internal static class BrokerHttpEndpoints
{
    public static IEndpointRouteBuilder MapBrokerHttp(this IEndpointRouteBuilder endpoints)
    {
        var broker = endpoints.MapGroup("/broker").AddEndpointFilter(ClusterUnavailableFilter.InvokeAsync);
        broker.MapPost("/{**topic}", PublishAsync);
        broker.MapGet("/{**filter}", ReadAsync);
        return endpoints;
    }

    private static async Task<IResult> PublishAsync(HttpContext context, string? topic, ConnectionServices services, InstanceLinks links)
    {
        var (link, access) = await AuthenticateAsync(context, services, links);
        if (access == TokenAccess.ReadOnly)
        {
            await link!.Grain.ReportError(new ErrorReport(null, ErrorCodes.ReadOnly, topic));
        }

        if (access != TokenAccess.ReadWrite)
        {
            return Refused(context, access);
        }

        if (!services.TopicRules.TryNormalizeTopic(topic ?? "", out var normalized, out var refusal) || normalized.Length == 0)
        {
            await link!.Grain.ReportError(new ErrorReport(null, ErrorCodes.InvalidTopic, topic));
            return Results.BadRequest($"topic '{topic}': {refusal ?? "empty"}");
        }

        var query = context.Request.Query;
        if (!TryParseQos(query["qos"], out var qos) || !TryParseFlag(query["retained"], out var retained))
        {
            return Results.BadRequest("qos must be 0, 1 or 2 and retained true or false");
        }

        var maxPayload = services.Options.Limits.MaxPayloadSize;
        if (await ReadBodyAsync(context.Request, maxPayload, context.RequestAborted) is not { } payload)
        {
            await link!.Grain.ReportError(new ErrorReport(null, ErrorCodes.PayloadTooLarge, topic));
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        var accepted = await link!.Router.EnqueueAsync(new PublishedMessage(normalized, payload, qos, retained), ack: null);
        await accepted;
        return Results.NoContent();
    }

    private static async Task<IResult> ReadAsync(HttpContext context, string? filter, ConnectionServices services, InstanceLinks links)
    {
        var (link, access) = await AuthenticateAsync(context, services, links);
        if (access == TokenAccess.Denied)
        {
            return Refused(context, access);
        }

        if (!services.TopicRules.TryNormalizeFilter((filter ?? "").Replace('@', '#'), out var normalized, out _, out var refusal))
        {
            await link!.Grain.ReportError(new ErrorReport(null, ErrorCodes.InvalidTopic, filter));
            return Results.BadRequest($"filter '{filter}': {refusal}");
        }

        if (!TryParseFlag(context.Request.Query["retained"], out var retained))
        {
            return Results.BadRequest("retained must be true or false");
        }

        if (normalized == SystemTopics.Info)
        {
            return Results.Bytes(await link!.Grain.GetInfo(), "application/json");
        }

        var message = await link!.Grain.GetLastMessage(normalized, retained);
        return message is null ? Results.NotFound() : Results.Bytes(message.Payload, "application/octet-stream");
    }

    private static async Task<(InstanceLink? Link, TokenAccess Access)> AuthenticateAsync(HttpContext context, ConnectionServices services, InstanceLinks links)
    {
        string instance;
        string? secret = null;
        if (AuthenticationHeaderValue.TryParse(context.Request.Headers.Authorization, out var header)
            && string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            && TryDecodeBasic(header.Parameter, out var user, out var password))
        {
            (instance, secret) = (user, password);
        }
        else if (services.Options.Mode == BrokerMode.Development && context.Request.Headers.Authorization.Count == 0)
        {
            instance = DevelopmentInstances.Local;
        }
        else
        {
            return (null, TokenAccess.Denied);
        }

        var access = await links.Grain(instance).Authenticate(secret);
        return (access == TokenAccess.Denied ? null : links.Get(instance), access);
    }

    private static bool TryDecodeBasic(string? parameter, out string user, out string password)
    {
        (user, password) = ("", "");
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter ?? ""));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return false;
            }

            (user, password) = (decoded[..colon], decoded[(colon + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static IResult Refused(HttpContext context, TokenAccess access)
    {
        if (access == TokenAccess.ReadOnly)
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        context.Response.Headers.WWWAuthenticate = "Basic realm=\"broker\"";
        return Results.Unauthorized();
    }

    /// <summary>The body, or null when it is longer than <paramref name="maxBytes"/> (read no further than that).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + read > maxBytes)
            {
                return null;
            }

            body.Write(buffer, 0, read);
        }

        return body.ToArray();
    }

    private static bool TryParseQos(string? value, out byte qos)
    {
        qos = 0;
        return string.IsNullOrEmpty(value) || (byte.TryParse(value, out qos) && qos <= 2);
    }

    private static bool TryParseFlag(string? value, out bool flag)
    {
        flag = false;
        return string.IsNullOrEmpty(value) || bool.TryParse(value, out flag);
    }
}
