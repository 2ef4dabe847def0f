using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Admin;

/// <summary>Lets a request through only with <c>Authorization: Bearer &lt;key&gt;</c>; anything else gets 401.</summary>
internal sealed partial class BearerKeyFilter(string key, ILogger logger) : IEndpointFilter
{
    private const string Scheme = "Bearer ";

    private readonly byte[] _key = Encoding.UTF8.GetBytes(key);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        string? header = http.Request.Headers.Authorization;
        if (header is not null
            && header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()), _key))
        {
            return await next(context);
        }

        LogRefused(http.Connection.RemoteIpAddress?.ToString(), http.Request.Method, http.Request.Path);
        http.Response.Headers.WWWAuthenticate = "Bearer realm=\"broker-admin\"";
        return Results.Unauthorized();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin API: {Method} {Path} from {Remote} refused, no valid bearer key")]
    private partial void LogRefused(string? remote, string method, string path);
}
