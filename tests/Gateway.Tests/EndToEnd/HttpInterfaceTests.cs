using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>
/// The HTTP interface with a real <see cref="HttpClient"/>: <c>POST /broker/&lt;topic&gt;</c> publishes its body,
/// <c>GET /broker/&lt;filter&gt;</c> returns the last matching payload (or the retained one), HTTP Basic
/// <c>instance:token</c> authenticates (none means instance <c>local</c> in development mode). Messages are observed
/// by real MQTT subscribers; "nothing else arrived" is proved with a sentinel POSTed afterwards by a read-write
/// client, since an answered POST has been accepted by the instance and the instance delivers in one order.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class HttpInterfaceTests(BrokerFixture broker)
{
    private const int PayloadLimit = 65536;

    private static readonly byte[] BinaryPayload = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, (byte)'h', (byte)'i', 0x0D, 0x0A];

    // POST

    [Theory]
    [InlineData(null, QualityOfService.ExactlyOnce, QualityOfService.AtMostOnce)]
    [InlineData(0, QualityOfService.ExactlyOnce, QualityOfService.AtMostOnce)]
    [InlineData(1, QualityOfService.ExactlyOnce, QualityOfService.AtLeastOnce)]
    [InlineData(2, QualityOfService.ExactlyOnce, QualityOfService.ExactlyOnce)]
    [InlineData(2, QualityOfService.AtLeastOnce, QualityOfService.AtLeastOnce)]
    [InlineData(2, QualityOfService.AtMostOnce, QualityOfService.AtMostOnce)]
    [InlineData(1, QualityOfService.AtMostOnce, QualityOfService.AtMostOnce)]
    public async Task PostReachesAnMqttSubscriberWithTheExactPayloadTheLowerQosAndNoRetainFlag(int? qos, QualityOfService subscribed, QualityOfService expected)
    {
        var topic = $"{TestNames.Topic()}/a/b/c";
        await using var subscriber = await SubscribedRawClientAsync(topic, subscribed);
        using var http = CreateHttpClient();

        using var response = await PostAsync(http, topic, BinaryPayload, qos is null ? "" : $"?qos={qos}");

        AssertSuccess(response);
        var delivered = await ReceivePublishAsync(subscriber);
        Assert.Equal(topic, delivered.Topic);
        Assert.Equal(BinaryPayload, delivered.Payload.ToArray());
        Assert.Equal(expected, delivered.Qos);
        Assert.False(delivered.Retain);
    }

    [Fact]
    public async Task RetainedPostIsDeliveredToALaterMqttSubscriberWithTheRetainFlag()
    {
        var unique = TestNames.Topic();
        using var http = CreateHttpClient();

        using var response = await PostAsync(http, $"{unique}/state", "kept", "?retained=true&qos=1");

        AssertSuccess(response);
        await using var subscriber = await SubscribedRawClientAsync($"{unique}/+", QualityOfService.AtLeastOnce);
        var delivered = await ReceivePublishAsync(subscriber);
        Assert.Equal($"{unique}/state", delivered.Topic);
        Assert.Equal("kept", Encoding.UTF8.GetString(delivered.Payload.Span));
        Assert.Equal(QualityOfService.AtLeastOnce, delivered.Qos);
        Assert.True(delivered.Retain);
    }

    [Fact]
    public async Task RetainedPostIsReturnedByGetWithRetained()
    {
        var topic = $"{TestNames.Topic()}/state";
        using var http = CreateHttpClient();

        AssertSuccess(await PostAsync(http, topic, BinaryPayload, "?retained=true"));

        Assert.Equal(BinaryPayload, await GetPayloadAsync(http, topic, "?retained=true"));
    }

    [Fact]
    public async Task PostWithoutRetainedIsNotKeptAsRetainedMessage()
    {
        var unique = TestNames.Topic();
        var topic = $"{unique}/state";
        using var http = CreateHttpClient();

        AssertSuccess(await PostAsync(http, topic, "live"));

        await AssertNotFoundAsync(http, topic, "?retained=true");
        Assert.Equal("live", await GetStringAsync(http, topic));
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{unique}/#");
        AssertSuccess(await PostAsync(http, $"{unique}/sentinel", "sentinel"));
        Assert.Empty(await subscriber.ReceiveUntilAsync($"{unique}/sentinel"));
    }

    [Fact]
    public async Task GetWithRetainedReturnsTheRetainedMessageAndGetWithoutReturnsTheLaterLiveOne()
    {
        var topic = $"{TestNames.Topic()}/state";
        using var http = CreateHttpClient();

        AssertSuccess(await PostAsync(http, topic, "kept", "?retained=true"));
        AssertSuccess(await PostAsync(http, topic, "live"));

        Assert.Equal("kept", await GetStringAsync(http, topic, "?retained=true"));
        Assert.Equal("live", await GetStringAsync(http, topic));
    }

    // Ordering

    [Fact]
    public async Task PostsWaitedForOneAfterTheOtherReachTheSubscriberInOrder()
    {
        var unique = TestNames.Topic();
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{unique}/#");
        using var http = CreateHttpClient();

        await PostSequenceAsync(http, $"{unique}/sequence", "m", 50);
        AssertSuccess(await PostAsync(http, $"{unique}/sentinel", "sentinel"));

        var received = await subscriber.ReceiveUntilAsync($"{unique}/sentinel");
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"m{i}"), received.Select(message => message.Payload));
    }

    [Fact]
    public async Task ConcurrentPostsFromTwoClientsAllArriveEachClientsInItsOwnOrder()
    {
        var unique = TestNames.Topic();
        var topic = $"{unique}/sequence";
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{unique}/#");
        using var first = CreateHttpClient();
        using var second = CreateHttpClient();

        await Task.WhenAll(PostSequenceAsync(first, topic, "a", 25), PostSequenceAsync(second, topic, "b", 25));
        AssertSuccess(await PostAsync(first, $"{unique}/sentinel", "sentinel"));

        var received = (await subscriber.ReceiveUntilAsync($"{unique}/sentinel")).Select(message => message.Payload).ToList();
        Assert.Equal(50, received.Count);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"a{i}"), received.Where(payload => payload.StartsWith('a')));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"b{i}"), received.Where(payload => payload.StartsWith('b')));
    }

    // GET of the last message

    [Fact]
    public async Task GetReturnsTheLastMessagePostedToTheTopic()
    {
        var topic = $"{TestNames.Topic()}/value";
        using var http = CreateHttpClient();

        AssertSuccess(await PostAsync(http, topic, "1"));
        AssertSuccess(await PostAsync(http, topic, "2"));

        Assert.Equal("2", await GetStringAsync(http, topic));
    }

    [Fact]
    public async Task GetReturnsTheLastMessagePublishedOverMqtt()
    {
        var topic = $"{TestNames.Topic()}/value";
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync(topic);
        await using var publisher = await broker.ConnectAsync();
        using var http = CreateHttpClient();

        await publisher.PublishAsync(topic, "1");
        await publisher.PublishAsync(topic, "2");
        // The subscriber receiving the second message is the event that the instance has processed both.
        string[] received = [(await subscriber.ReceiveAsync()).Payload, (await subscriber.ReceiveAsync()).Payload];
        Assert.Equal(["1", "2"], received);

        Assert.Equal("2", await GetStringAsync(http, topic));
    }

    [Fact]
    public async Task GetReturnsTheExactBytesOfTheLastPayload()
    {
        var topic = $"{TestNames.Topic()}/binary";
        using var http = CreateHttpClient();

        AssertSuccess(await PostAsync(http, topic, BinaryPayload));

        Assert.Equal(BinaryPayload, await GetPayloadAsync(http, topic));
    }

    [Theory]
    [InlineData("+")]
    [InlineData("*")]
    [InlineData("@")]
    public async Task GetWithAWildcardFilterReturnsTheMostRecentMatchingMessage(string wildcard)
    {
        var unique = TestNames.Topic();
        var filter = $"{unique}/{wildcard}";
        using var http = CreateHttpClient();

        AssertSuccess(await PostAsync(http, $"{unique}/a", "1"));
        AssertSuccess(await PostAsync(http, $"{unique}/b", "2"));
        Assert.Equal("2", await GetStringAsync(http, filter));

        AssertSuccess(await PostAsync(http, $"{unique}/a", "3"));
        Assert.Equal("3", await GetStringAsync(http, filter));
    }

    [Theory]
    [InlineData("+", "one level")]
    [InlineData("*", "one level")]
    [InlineData("@", "two levels")]
    public async Task GetWithAtMatchesSeveralLevelsAndWithPlusOrAsteriskExactlyOne(string wildcard, string expected)
    {
        var unique = TestNames.Topic();
        using var http = CreateHttpClient();

        AssertSuccess(await PostAsync(http, $"{unique}/a", "one level"));
        AssertSuccess(await PostAsync(http, $"{unique}/x/y", "two levels"));

        Assert.Equal(expected, await GetStringAsync(http, $"{unique}/{wildcard}"));
    }

    [Fact]
    public async Task GetWithAWildcardFilterReturnsARetainedMessageWithRetained()
    {
        var unique = TestNames.Topic();
        using var http = CreateHttpClient();

        AssertSuccess(await PostAsync(http, $"{unique}/a", "kept", "?retained=true"));
        AssertSuccess(await PostAsync(http, $"{unique}/b", "live"));

        Assert.Equal("kept", await GetStringAsync(http, $"{unique}/+", "?retained=true"));
        Assert.Equal("live", await GetStringAsync(http, $"{unique}/+"));
    }

    [Theory]
    [InlineData("P/never", "")]
    [InlineData("P/never", "?retained=true")]
    [InlineData("P/+", "")]
    [InlineData("P/*", "")]
    [InlineData("P/@", "")]
    [InlineData("P/@", "?retained=true")]
    public async Task GetOfAFilterNothingWasPublishedToIsNotFound(string filter, string query)
    {
        using var http = CreateHttpClient();

        await AssertNotFoundAsync(http, filter.Replace("P", TestNames.Topic()), query);
    }

    // Topic rules

    [Theory]
    [InlineData("P/a!b")]
    [InlineData("P/a%20b")]
    [InlineData("P/+")]
    [InlineData("P/%23")]
    public async Task PostToAnInvalidTopicIsABadRequestAndIsNotDelivered(string topic)
    {
        var unique = TestNames.Topic();
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{unique}/#");
        using var http = CreateHttpClient();

        using var response = await PostAsync(http, topic.Replace("P", unique), "probe");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertSuccess(await PostAsync(http, $"{unique}/sentinel", "sentinel"));
        Assert.Empty(await subscriber.ReceiveUntilAsync($"{unique}/sentinel"));
    }

    [Fact]
    public async Task PostToATopicOfTheMaximumLengthSucceedsAndOneCharacterLongerIsABadRequest()
    {
        var unique = TestNames.Topic();
        var longest = $"{unique}/".PadRight(128, 'x');
        using var http = CreateHttpClient();

        AssertSuccess(await PostAsync(http, longest, "fits"));
        using var response = await PostAsync(http, longest + "x", "too long");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("fits", await GetStringAsync(http, $"{unique}/@"));
    }

    [Fact]
    public async Task GetWithAnInvalidFilterIsABadRequest()
    {
        using var http = CreateHttpClient();

        using var response = await GetAsync(http, $"{TestNames.Topic()}/a!b");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    // Authentication

    [Theory]
    [InlineData(BrokerFixture.Instance, "wrong-secret", "POST")]
    [InlineData(BrokerFixture.Instance, "wrong-secret", "GET")]
    [InlineData(BrokerFixture.Instance, BrokerFixture.OtherSecret, "POST")]
    [InlineData(BrokerFixture.Instance, "", "GET")]
    [InlineData("no-such-instance", BrokerFixture.Secret, "POST")]
    [InlineData("no-such-instance", BrokerFixture.Secret, "GET")]
    public async Task BadCredentialsAreUnauthorized(string instance, string secret, string method)
    {
        var unique = TestNames.Topic();
        using var http = CreateHttpClient(instance, secret);

        using var response = method == "POST"
            ? await PostAsync(http, $"{unique}/probe", "probe")
            : await GetAsync(http, $"{unique}/probe");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task PostWithBadCredentialsIsNotDelivered()
    {
        var unique = TestNames.Topic();
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{unique}/#");
        using var intruder = CreateHttpClient(BrokerFixture.Instance, "wrong-secret");
        using var http = CreateHttpClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(intruder, $"{unique}/probe", "probe")).StatusCode);
        AssertSuccess(await PostAsync(http, $"{unique}/sentinel", "sentinel"));

        Assert.Empty(await subscriber.ReceiveUntilAsync($"{unique}/sentinel"));
    }

    [Fact]
    public async Task PostWithAReadOnlyTokenIsForbiddenAndIsNotDelivered()
    {
        var unique = TestNames.Topic();
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{unique}/#");
        using var readOnly = CreateHttpClient(BrokerFixture.Instance, BrokerFixture.ReadOnlySecret);
        using var http = CreateHttpClient();

        using var response = await PostAsync(readOnly, $"{unique}/probe", "probe", "?retained=true");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        AssertSuccess(await PostAsync(http, $"{unique}/sentinel", "sentinel"));
        Assert.Empty(await subscriber.ReceiveUntilAsync($"{unique}/sentinel"));
        await AssertNotFoundAsync(http, $"{unique}/probe");
        await AssertNotFoundAsync(http, $"{unique}/probe", "?retained=true");
    }

    [Fact]
    public async Task GetWithAReadOnlyTokenReturnsTheLastMessage()
    {
        var topic = $"{TestNames.Topic()}/value";
        using var http = CreateHttpClient();
        using var readOnly = CreateHttpClient(BrokerFixture.Instance, BrokerFixture.ReadOnlySecret);

        AssertSuccess(await PostAsync(http, topic, "readable"));

        using var response = await GetAsync(readOnly, topic);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("readable", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PostWithoutCredentialsReachesTheLocalInstanceAndNotAlpha()
    {
        var unique = TestNames.Topic();
        var topic = $"{unique}/probe";
        await using var local = await broker.ConnectAsync(instance: null, secret: null);
        await local.SubscribeAsync($"{unique}/#");
        await using var alpha = await broker.ConnectAsync();
        await alpha.SubscribeAsync($"{unique}/#");
        using var anonymous = CreateHttpClient(instance: null, secret: null);
        using var http = CreateHttpClient();

        AssertSuccess(await PostAsync(anonymous, topic, "local"));
        AssertSuccess(await PostAsync(http, $"{unique}/sentinel", "sentinel"));

        var received = await local.ReceiveAsync();
        Assert.Equal((topic, "local"), (received.Topic, received.Payload));
        Assert.Empty(await alpha.ReceiveUntilAsync($"{unique}/sentinel"));
        Assert.Equal("local", await GetStringAsync(anonymous, topic));
        await AssertNotFoundAsync(http, topic);
    }

    // Payload limit

    [Fact]
    public async Task PostOfAPayloadAtTheLimitSucceedsAndOneByteMoreIsTooLarge()
    {
        var unique = TestNames.Topic();
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{unique}/#");
        using var http = CreateHttpClient();
        var atLimit = new string('x', PayloadLimit);

        using var tooLarge = await PostAsync(http, $"{unique}/large", new string('y', PayloadLimit + 1));
        using var fits = await PostAsync(http, $"{unique}/large", atLimit);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        AssertSuccess(fits);
        var received = await subscriber.ReceiveAsync();
        Assert.Equal($"{unique}/large", received.Topic);
        Assert.Equal(atLimit, received.Payload);
        Assert.Equal(atLimit, await GetStringAsync(http, $"{unique}/large"));
    }

    // Instances

    [Fact]
    public async Task PostToBetaIsNotVisibleToGetOnAlpha()
    {
        var topic = $"{TestNames.Topic()}/value";
        using var alpha = CreateHttpClient();
        using var beta = CreateHttpClient(BrokerFixture.OtherInstance, BrokerFixture.OtherSecret);

        AssertSuccess(await PostAsync(beta, topic, "beta", "?retained=true"));

        await AssertNotFoundAsync(alpha, topic);
        await AssertNotFoundAsync(alpha, topic, "?retained=true");
        Assert.Equal("beta", await GetStringAsync(beta, topic));
    }

    [Fact]
    public async Task EachInstanceKeepsItsOwnLastMessageForTheSameTopic()
    {
        var topic = $"{TestNames.Topic()}/value";
        using var alpha = CreateHttpClient();
        using var beta = CreateHttpClient(BrokerFixture.OtherInstance, BrokerFixture.OtherSecret);

        AssertSuccess(await PostAsync(alpha, topic, "alpha"));
        AssertSuccess(await PostAsync(beta, topic, "beta"));

        Assert.Equal("alpha", await GetStringAsync(alpha, topic));
        Assert.Equal("beta", await GetStringAsync(beta, topic));
    }

    // Helpers

    /// <summary>An HTTP client for the broker's HTTP port; <paramref name="instance"/> null sends no credentials.</summary>
    private HttpClient CreateHttpClient(string? instance = BrokerFixture.Instance, string? secret = BrokerFixture.Secret)
    {
        var client = new HttpClient
        {
            BaseAddress = new Uri($"http://{broker.Host}:{broker.HttpPort}"),
            Timeout = MqttTestClient.DefaultTimeout,
        };
        if (instance is not null)
        {
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{instance}:{secret}"));
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        }

        return client;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string topic, byte[] payload, string query = "")
    {
        var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return http.PostAsync(BrokerUri(topic, query), content);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string topic, string payload, string query = "") =>
        PostAsync(http, topic, Encoding.UTF8.GetBytes(payload), query);

    private static Task<HttpResponseMessage> GetAsync(HttpClient http, string filter, string query = "") =>
        http.GetAsync(BrokerUri(filter, query));

    private static async Task<byte[]> GetPayloadAsync(HttpClient http, string filter, string query = "")
    {
        using var response = await GetAsync(http, filter, query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task<string> GetStringAsync(HttpClient http, string filter, string query = "") =>
        Encoding.UTF8.GetString(await GetPayloadAsync(http, filter, query));

    private static async Task AssertNotFoundAsync(HttpClient http, string filter, string query = "")
    {
        using var response = await GetAsync(http, filter, query);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static void AssertSuccess(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}");
        }
    }

    /// <summary>POSTs <paramref name="count"/> messages <c>{prefix}0…</c>, each after the answer to the one before.</summary>
    private static async Task PostSequenceAsync(HttpClient http, string topic, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            AssertSuccess(await PostAsync(http, topic, $"{prefix}{i}"));
        }
    }

    private static Uri BrokerUri(string topic, string query) => new($"/broker/{topic}{query}", UriKind.Relative);

    private async Task<RawMqttClient> SubscribedRawClientAsync(string filter, QualityOfService qos)
    {
        var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());
        await client.SendAsync(new SubscribePacket(1, [new TopicSubscription(filter, qos)]));
        var subAck = await client.ReceiveAsync<SubAckPacket>();
        Assert.Equal(1, subAck.PacketId);
        Assert.Equal([(SubscribeReturnCode)qos], subAck.ReturnCodes);
        return client;
    }

    /// <summary>The next PUBLISH, acknowledged as its QoS requires so the broker's flow completes.</summary>
    private static async Task<PublishPacket> ReceivePublishAsync(RawMqttClient client)
    {
        var publish = await client.ReceiveAsync<PublishPacket>();
        switch (publish.Qos)
        {
            case QualityOfService.AtLeastOnce:
                await client.SendAsync(new PubAckPacket(publish.PacketId));
                break;
            case QualityOfService.ExactlyOnce:
                await client.SendAsync(new PubRecPacket(publish.PacketId));
                var release = await client.ReceiveAsync<PubRelPacket>();
                await client.SendAsync(new PubCompPacket(release.PacketId));
                break;
        }

        return publish;
    }
}
