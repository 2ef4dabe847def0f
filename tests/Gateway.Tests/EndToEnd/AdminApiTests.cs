using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Broker.Gateway.Admin;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>
/// The admin API with a real <see cref="HttpClient"/>: instances and tokens created at run time let MQTT clients
/// in, deleting them closes those clients' connections and refuses new ones, configured instances are listed but
/// not changed, and requests without the bearer key get 401.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class AdminApiTests(BrokerFixture broker)
{
    public static TheoryData<string, string> Endpoints => new()
    {
        { "GET", "/admin/instances" },
        { "POST", "/admin/instances" },
        { "GET", "/admin/instances/public" },
        { "DELETE", "/admin/instances/public" },
        { "POST", "/admin/instances/public/tokens" },
        { "DELETE", "/admin/instances/public/tokens/x" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task EveryEndpointRefusesAMissingOrWrongKeyWith401(string method, string path)
    {
        foreach (var authorization in new AuthenticationHeaderValue?[] { null, new("Bearer", "wrong"), new("Bearer", ""), new("Basic", BrokerFixture.AdminKey) })
        {
            using var http = CreateHttpClient(key: null);
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("""{"name":"refused"}""") };
            request.Headers.Authorization = authorization;

            using var response = await http.SendAsync(request);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    [Fact]
    public async Task ACreatedInstanceWithATokenLetsAClientInAndIsListedWithoutTheSecret()
    {
        using var http = CreateHttpClient();
        var name = NewInstanceName();

        using var created = await http.PostAsync("/admin/instances", new StringContent($$"""{"name":"{{name}}"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/admin/instances/{name}", created.Headers.Location?.OriginalString);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$"""{"name":"{{name}}","configured":false,"allow_anonymous":false,"tokens":[]}"""),
            JsonNode.Parse(await created.Content.ReadAsStringAsync())));
        var token = await CreateTokenAsync(http, name, """{"secret":"chosen-secret"}""");

        Assert.Equal("chosen-secret", (string?)token["secret"]);
        Assert.False((bool)token["read_only"]!);
        await using var client = await broker.ConnectAsync(name, "chosen-secret");
        var listed = JsonNode.Parse(await http.GetStringAsync("/admin/instances"))!.AsArray();
        var expected = JsonNode.Parse($$"""{"name":"{{name}}","configured":false,"allow_anonymous":false,"tokens":[{"id":"{{token["id"]}}","read_only":false}]}""");
        Assert.Contains(listed, instance => JsonNode.DeepEquals(instance, expected));
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(await http.GetStringAsync($"/admin/instances/{name}"))));
    }

    [Fact]
    public async Task AGeneratedSecretIsReturnedOnceAndWorks()
    {
        using var http = CreateHttpClient();
        var name = await CreateInstanceAsync(http);

        var token = await CreateTokenAsync(http, name, body: null);

        var secret = (string)token["secret"]!;
        Assert.Matches("^[A-Za-z0-9_-]{32}$", secret);
        await using var client = await broker.ConnectAsync(name, secret);
        Assert.DoesNotContain(secret, await http.GetStringAsync($"/admin/instances/{name}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReadOnlyTokenMaySubscribeButNotPublish()
    {
        using var http = CreateHttpClient();
        var name = await CreateInstanceAsync(http);
        var token = await CreateTokenAsync(http, name, """{"read_only":true}""");
        Assert.True((bool)token["read_only"]!);
        await using var reader = await broker.ConnectAsync(name, (string)token["secret"]!);
        await reader.SubscribeAsync("t/#");

        using var publisher = new HttpClient { BaseAddress = new Uri($"http://{broker.Host}:{broker.HttpPort}") };
        publisher.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{name}:{token["secret"]}")));
        using var response = await publisher.PostAsync("/broker/t/x", new StringContent("no"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AnInstanceCreatedWithAllowAnonymousLetsClientsInWithoutAPassword()
    {
        using var http = CreateHttpClient();
        var open = NewInstanceName();
        var closed = await CreateInstanceAsync(http);

        using var created = await http.PostAsync("/admin/instances", new StringContent($$"""{"name":"{{open}}","allow_anonymous":true}"""));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True((bool)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["allow_anonymous"]!);
        var (anonymous, accepted) = await RawMqttClient.ConnectAsync(broker, TestNames.ClientId(), open, secret: null);
        await using (anonymous)
        {
            Assert.Equal(ConnectReturnCode.Accepted, accepted.ReturnCode);
        }

        var (refused, notAuthorized) = await RawMqttClient.ConnectAsync(broker, TestNames.ClientId(), closed, secret: null);
        await using (refused)
        {
            Assert.Equal(ConnectReturnCode.NotAuthorized, notAuthorized.ReturnCode);
        }
    }

    [Fact]
    public async Task DeletingATokenClosesItsConnectionsAndRefusesItFromThenOn()
    {
        using var http = CreateHttpClient();
        var name = await CreateInstanceAsync(http);
        var kept = await CreateTokenAsync(http, name, """{"secret":"kept-secret"}""");
        var deleted = await CreateTokenAsync(http, name, """{"secret":"deleted-secret"}""");
        await using var keptClient = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), name, "kept-secret");
        await using var deletedClient = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), name, "deleted-secret");

        using var response = await http.DeleteAsync($"/admin/instances/{name}/tokens/{deleted["id"]}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True(await deletedClient.WaitClosedAsync());
        var (refused, connAck) = await RawMqttClient.ConnectAsync(broker, TestNames.ClientId(), name, "deleted-secret");
        await using (refused)
        {
            Assert.Equal(ConnectReturnCode.NotAuthorized, connAck.ReturnCode);
        }

        await keptClient.PingAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/admin/instances/{name}/tokens/{deleted["id"]}")).StatusCode);
        Assert.Equal([(string)kept["id"]!], JsonNode.Parse(await http.GetStringAsync($"/admin/instances/{name}"))!["tokens"]!.AsArray().Select(t => (string)t!["id"]!));
    }

    [Fact]
    public async Task DeletingAnInstanceClosesItsConnectionsForgetsItsMessagesAndRefusesClients()
    {
        using var http = CreateHttpClient();
        var name = await CreateInstanceAsync(http);
        await CreateTokenAsync(http, name, """{"secret":"s"}""");
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), name, "s");
        await client.SendAsync(new PublishPacket("kept", "old"u8.ToArray(), QualityOfService.AtLeastOnce, Retain: true, Duplicate: false, PacketId: 1));
        await client.ReceiveAsync<PubAckPacket>();

        using var response = await http.DeleteAsync($"/admin/instances/{name}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True(await client.WaitClosedAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/admin/instances/{name}")).StatusCode);
        var (refused, connAck) = await RawMqttClient.ConnectAsync(broker, TestNames.ClientId(), name, "s");
        await using (refused)
        {
            Assert.Equal(ConnectReturnCode.NotAuthorized, connAck.ReturnCode);
        }

        // The same name created again is a new, empty instance.
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/admin/instances", new StringContent($$"""{"name":"{{name}}"}"""))).StatusCode);
        await CreateTokenAsync(http, name, """{"secret":"s"}""");
        await using var again = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), name, "s");
        await again.SendAsync(new SubscribePacket(1, [new TopicSubscription("kept", QualityOfService.AtMostOnce), new TopicSubscription("sentinel", QualityOfService.AtMostOnce)]));
        await again.ReceiveAsync<SubAckPacket>();
        await again.SendAsync(new PublishPacket("sentinel", "end"u8.ToArray(), QualityOfService.AtMostOnce, Retain: false, Duplicate: false, PacketId: 0));
        Assert.Empty(await again.ReceiveUntilAsync("sentinel"));
    }

    [Fact]
    public async Task ConfiguredInstancesAreListedButNotChanged()
    {
        using var http = CreateHttpClient();

        var listed = JsonNode.Parse(await http.GetStringAsync("/admin/instances"))!.AsArray();
        var alpha = listed.Single(instance => (string?)instance!["name"] == BrokerFixture.Instance)!;

        Assert.True((bool)alpha["configured"]!);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"id":"config-0","read_only":false},{"id":"config-1","read_only":true}]"""), alpha["tokens"]));
        Assert.DoesNotContain(BrokerFixture.Secret, listed.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await http.DeleteAsync($"/admin/instances/{BrokerFixture.Instance}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await http.DeleteAsync($"/admin/instances/{BrokerFixture.Instance}/tokens/config-0")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsync($"/admin/instances/{BrokerFixture.Instance}/tokens", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsync("/admin/instances", new StringContent($$"""{"name":"{{BrokerFixture.Instance}}"}"""))).StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"nom":"x"}""")]
    [InlineData("""{"name":""}""")]
    [InlineData("""{"name":"has space"}""")]
    [InlineData("""{"name":"-leading-dash"}""")]
    [InlineData("""{"name":"a/b"}""")]
    [InlineData("""{"name":"ok","allow_anonymous":"yes"}""")]
    [InlineData("""{"name":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}""")]
    public async Task AnInvalidInstanceIsABadRequest(string body)
    {
        using var http = CreateHttpClient();

        using var response = await http.PostAsync("/admin/instances", new StringContent(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task TheLongestValidNameIsAccepted()
    {
        using var http = CreateHttpClient();
        var name = $"n{Guid.NewGuid():N}".PadRight(64, 'x');

        using var response = await http.PostAsync("/admin/instances", new StringContent($$"""{"name":"{{name}}"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"secret":""}""")]
    [InlineData("""{"read_only":"yes"}""")]
    [InlineData("[1]")]
    public async Task AnInvalidTokenIsABadRequest(string body)
    {
        using var http = CreateHttpClient();
        var name = await CreateInstanceAsync(http);

        using var response = await http.PostAsync($"/admin/instances/{name}/tokens", new StringContent(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task UnknownInstancesAreNotFoundAndDuplicatesConflict()
    {
        using var http = CreateHttpClient();
        var name = await CreateInstanceAsync(http);
        var unknown = NewInstanceName();

        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsync("/admin/instances", new StringContent($$"""{"name":"{{name}}"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/admin/instances/{unknown}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/admin/instances/{unknown}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync($"/admin/instances/{unknown}/tokens", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/admin/instances/{name}/tokens/none")).StatusCode);
    }

    [Fact]
    public async Task WithoutAKeyTheAdminApiIsNotServed()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddOptions<AdminOptions>();
        await using var app = builder.Build();
        app.MapAdminApi();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "anything");

        using var response = await http.GetAsync("/admin/instances");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await app.StopAsync();
    }

    private static string NewInstanceName() => $"i{Guid.NewGuid():N}";

    private static async Task<string> CreateInstanceAsync(HttpClient http)
    {
        var name = NewInstanceName();
        using var response = await http.PostAsync("/admin/instances", new StringContent($$"""{"name":"{{name}}"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return name;
    }

    private static async Task<JsonNode> CreateTokenAsync(HttpClient http, string instance, string? body)
    {
        using var response = await http.PostAsync($"/admin/instances/{instance}/tokens", body is null ? null : new StringContent(body));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private HttpClient CreateHttpClient(string? key = BrokerFixture.AdminKey)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://{broker.Host}:{broker.HttpPort}"), Timeout = MqttTestClient.DefaultTimeout };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }
}
