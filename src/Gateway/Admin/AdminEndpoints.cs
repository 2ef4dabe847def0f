using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Broker.Gateway.Http;
using Broker.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Broker.Gateway.Admin;

/// <summary>
/// The admin API under <c>/admin</c>: lists, creates and deletes instances and their tokens at run time, through
/// the instance catalog grain. Requests need the configured bearer key; without a key the API is not served.
/// A token's secret is returned once, when the token is created, and never listed or logged.
/// </summary>
internal static partial class AdminEndpoints
{
    private const int MaxSecretLength = 256;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminEndpoints));
        if (services.GetRequiredService<IOptions<AdminOptions>>().Value.ResolveKey() is not var (key, source))
        {
            LogDisabled(logger);
            return endpoints;
        }

        LogEnabled(logger, source);

        var admin = endpoints.MapGroup("/admin")
            .AddEndpointFilter(new BearerKeyFilter(key, logger))
            .AddEndpointFilter(ClusterUnavailableFilter.InvokeAsync);
        admin.MapGet("/instances", ListAsync);
        admin.MapPost("/instances", CreateAsync);
        admin.MapGet("/instances/{name}", GetAsync);
        admin.MapDelete("/instances/{name}", DeleteAsync);
        admin.MapPost("/instances/{name}/tokens", AddTokenAsync);
        admin.MapDelete("/instances/{name}/tokens/{id}", DeleteTokenAsync);
        return endpoints;
    }

    private static async Task<IResult> ListAsync(IGrainFactory grains)
    {
        var instances = await Catalog(grains).List();
        return Results.Json(instances.Select(Describe), Json);
    }

    private static async Task<IResult> GetAsync(string name, IGrainFactory grains) =>
        await Catalog(grains).Get(name) is { } instance ? Results.Json(Describe(instance), Json) : Results.NotFound();

    private static async Task<IResult> CreateAsync(HttpRequest request, IGrainFactory grains)
    {
        var body = await ReadAsync<CreateInstanceRequest>(request);
        if (body?.Name is not { } name || !InstanceName().IsMatch(name))
        {
            return Results.BadRequest("a JSON object with a \"name\" of 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit, and an optional \"allow_anonymous\"");
        }

        var allowAnonymous = body.AllowAnonymous ?? false;
        var change = await Catalog(grains).Create(name, allowAnonymous);
        if (change != CatalogChange.Done)
        {
            return Outcome(change);
        }

        request.HttpContext.Response.Headers.Location = $"/admin/instances/{name}";
        return Results.Json(Describe(new InstanceDefinition(name, [], allowAnonymous)), Json, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> DeleteAsync(string name, IGrainFactory grains) =>
        Outcome(await Catalog(grains).Delete(name));

    private static async Task<IResult> AddTokenAsync(string name, HttpRequest request, IGrainFactory grains)
    {
        var body = await ReadAsync(request, empty: new AddTokenRequest(null, null));
        if (body is null || body.Secret is { Length: 0 or > MaxSecretLength })
        {
            return Results.BadRequest($"a JSON object with an optional \"read_only\" and an optional \"secret\" of 1 to {MaxSecretLength} characters");
        }

        var secret = body.Secret ?? Base64UrlSecret();
        var addition = await Catalog(grains).AddToken(name, secret, body.ReadOnly ?? false);
        return addition.Token is { } token
            ? Results.Json(new CreatedToken(token.Id, token.Secret, token.ReadOnly), Json, statusCode: StatusCodes.Status201Created)
            : Outcome(addition.Change);
    }

    private static async Task<IResult> DeleteTokenAsync(string name, string id, IGrainFactory grains) =>
        Outcome(await Catalog(grains).DeleteToken(name, id));

    private static IInstanceCatalogGrain Catalog(IGrainFactory grains) => grains.GetGrain<IInstanceCatalogGrain>(IInstanceCatalogGrain.Key);

    private static IResult Outcome(CatalogChange change) => change switch
    {
        CatalogChange.Done => Results.NoContent(),
        CatalogChange.NotFound => Results.NotFound(),
        CatalogChange.AlreadyExists => Results.Conflict("the instance already exists"),
        _ => Results.Conflict("the instance is declared in configuration; change it there"),
    };

    /// <summary>The JSON body whatever its content type (curl -d sends a form type); <paramref name="empty"/> for no body; null when malformed.</summary>
    private static async Task<T?> ReadAsync<T>(HttpRequest request, T? empty = null) where T : class
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        if (body.Length == 0)
        {
            return empty;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body.GetBuffer().AsSpan(0, (int)body.Length), Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static InstanceDescription Describe(InstanceDefinition instance) => new(
        instance.Name,
        instance.Configured,
        instance.AllowAnonymous,
        [.. instance.Tokens.Select(token => new TokenDescription(token.Id, token.ReadOnly))]);

    /// <summary>A new random secret: 24 random bytes, URL-safe base64 (32 characters).</summary>
    private static string Base64UrlSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex InstanceName();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Admin API off: neither Broker:Admin:Key nor Broker:Admin:KeyFile is configured")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin API on at /admin of the HTTP and HTTPS ports, with the bearer key from {Source}")]
    private static partial void LogEnabled(ILogger logger, string source);

    private sealed record CreateInstanceRequest(string? Name, bool? AllowAnonymous);

    private sealed record AddTokenRequest(bool? ReadOnly, string? Secret);

    private sealed record InstanceDescription(string Name, bool Configured, bool AllowAnonymous, TokenDescription[] Tokens);

    private sealed record TokenDescription(string Id, bool ReadOnly);

    private sealed record CreatedToken(string Id, string Secret, bool ReadOnly);
}
