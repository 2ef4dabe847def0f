using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>
/// The system topics of an instance, through real clients: <c>$events</c> (every interaction as JSON, and only
/// events for a listening connection), <c>$action</c> (closing a connection, over MQTT and HTTP) and <c>$info</c>
/// (the instance described, over MQTT and HTTP). The tests use an instance of their own.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class SystemTopicTests(BrokerFixture broker)
{
    private const string Instance = BrokerFixture.EventsInstance;
    private const string Secret = BrokerFixture.EventsSecret;

    // $events

    [Fact]
    public async Task EventsDescribeAConnectionsInteractionsInOrderWithTheDocumentedShapes()
    {
        await using var listener = await EventListener.StartAsync(broker);
        var name = TestNames.ClientId("evented");
        var topic = TestNames.Topic();
        await using (var client = await broker.ConnectAsync(Instance, Secret, name))
        {
            await client.SubscribeAsync($"/{topic}/*", MqttQualityOfServiceLevel.AtLeastOnce);
            await client.PublishAsync($"{topic}/x", "cool", MqttQualityOfServiceLevel.AtMostOnce);
            await client.UnsubscribeAsync($"/{topic}/+");
        }

        var connected = await listener.NextAsync("connected", "name", name);
        var id = EventListener.Body(connected).GetProperty("id").GetString()!;
        var events = new List<JsonElement> { connected };
        for (var i = 0; i < 4; i++)
        {
            events.Add(await listener.NextAsync(root => Mentions(root, id)));
        }

        AssertEvent(events[0], "connected", "connection", $$"""{"id":"{{id}}","name":"{{name}}","read_only":false}""");
        AssertEvent(events[1], "subscribed", "subscription", $$"""{"topic":"{{topic}}/+","qos":1,"root_slash":true,"connection_id":"{{id}}"}""");
        AssertEvent(events[2], "published", "message", $$"""{"topic":"{{topic}}/x","payload":"Y29vbA==","qos":0,"retained":false,"connection_id":"{{id}}"}""");
        AssertEvent(events[3], "unsubscribed", "unsubscription", $$"""{"topic":"{{topic}}/+","connection_id":"{{id}}"}""");
        AssertEvent(events[4], "disconnected", "disconnection", $$"""{"id":"{{id}}","name":"{{name}}"}""");

        var ids = events.Select(e => e.GetProperty("id").GetString()!).ToList();
        Assert.All(ids, eventId => Assert.Matches("^[0-9a-f]{24}$", eventId));
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task PublishedEventCarriesRetainedFlagQosAndBinaryPayloadAsBase64()
    {
        await using var listener = await EventListener.StartAsync(broker);
        var name = TestNames.ClientId();
        var topic = TestNames.Topic();
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, name, Instance, Secret);
        byte[] payload = [0x00, 0xFF, 0x10];

        await client.SendAsync(new PublishPacket(topic, payload, QualityOfService.AtLeastOnce, Retain: true, Duplicate: false, PacketId: 7));
        Assert.Equal(7, (await client.ReceiveAsync<PubAckPacket>()).PacketId);

        var id = await listener.ConnectionIdAsync(name);
        var published = await listener.NextAsync("published", "topic", topic);
        AssertEvent(published, "published", "message", $$"""{"topic":"{{topic}}","payload":"AP8Q","qos":1,"retained":true,"connection_id":"{{id}}"}""");
    }

    [Fact]
    public async Task AListeningConnectionReceivesOnlyEventsUntilItUnsubscribesFromEvents()
    {
        var topic = TestNames.Topic();
        await using var listener = await EventListener.StartAsync(broker);
        await listener.Client.SubscribeAsync($"{topic}/#", MqttQualityOfServiceLevel.AtMostOnce);
        await using var publisher = await broker.ConnectAsync(Instance, Secret);

        await publisher.PublishAsync($"{topic}/a", "first");

        // EventListener asserts that every message it reads is an event: the message itself never arrives.
        var published = await listener.NextAsync("published", "topic", $"{topic}/a");
        Assert.Equal("Zmlyc3Q=", EventListener.Body(published).GetProperty("payload").GetString());

        await listener.Client.UnsubscribeAsync("$events");
        await publisher.PublishAsync($"{topic}/a", "second");

        ReceivedMessage message;
        do
        {
            message = await listener.Client.ReceiveAsync();
        }
        while (message.Topic == "$events");

        Assert.Equal(new ReceivedMessage($"{topic}/a", "second", MqttQualityOfServiceLevel.AtMostOnce, false), message);
    }

    [Fact]
    public async Task AReadOnlyTokenMayListenToEvents()
    {
        await using var listener = await EventListener.StartAsync(broker, BrokerFixture.EventsReadOnlySecret);
        var name = TestNames.ClientId();

        await using var client = await broker.ConnectAsync(Instance, BrokerFixture.EventsReadOnlySecret, name);

        var connected = await listener.NextAsync("connected", "name", name);
        Assert.True(EventListener.Body(connected).GetProperty("read_only").GetBoolean());
    }

    // errored

    [Theory]
    [InlineData("a/#/b")]
    [InlineData("a b")]
    public async Task RefusedFilterIsAnInvalidTopicError(string filter)
    {
        await using var listener = await EventListener.StartAsync(broker);
        var name = TestNames.ClientId();
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, name, Instance, Secret);

        await client.SendAsync(new SubscribePacket(1, [new TopicSubscription(filter, QualityOfService.AtMostOnce)]));
        Assert.Equal([SubscribeReturnCode.Failure], (await client.ReceiveAsync<SubAckPacket>()).ReturnCodes);

        var id = await listener.ConnectionIdAsync(name);
        var errored = await listener.NextAsync("errored", "connection_id", id);
        AssertEvent(errored, "errored", "error", new JsonObject { ["code"] = "invalid-topic", ["topic"] = filter, ["connection_id"] = id });
    }

    [Fact]
    public async Task TheHundredAndFirstSubscriptionIsATooManySubscriptionsError()
    {
        await using var listener = await EventListener.StartAsync(broker);
        var name = TestNames.ClientId();
        var topic = TestNames.Topic();
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, name, Instance, Secret);

        var filters = Enumerable.Range(0, 101).Select(i => new TopicSubscription($"{topic}/{i}", QualityOfService.AtMostOnce)).ToList();
        await client.SendAsync(new SubscribePacket(1, filters));
        Assert.Equal(SubscribeReturnCode.Failure, (await client.ReceiveAsync<SubAckPacket>()).ReturnCodes[^1]);

        var id = await listener.ConnectionIdAsync(name);
        var errored = await listener.NextAsync("errored", "connection_id", id);
        AssertEvent(errored, "errored", "error", $$"""{"code":"too-many-subscriptions","topic":"{{topic}}/100","connection_id":"{{id}}"}""");
    }

    [Fact]
    public async Task APublishWithAReadOnlyTokenIsAcknowledgedAndAReadOnlyError()
    {
        await using var listener = await EventListener.StartAsync(broker);
        var name = TestNames.ClientId();
        var topic = TestNames.Topic();
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, name, Instance, BrokerFixture.EventsReadOnlySecret);

        await client.SendAsync(new PublishPacket(topic, "x"u8.ToArray(), QualityOfService.AtLeastOnce, Retain: false, Duplicate: false, PacketId: 3));
        Assert.Equal(3, (await client.ReceiveAsync<PubAckPacket>()).PacketId);

        var id = await listener.ConnectionIdAsync(name);
        var errored = await listener.NextAsync("errored", "connection_id", id);
        AssertEvent(errored, "errored", "error", $$"""{"code":"read-only","topic":"{{topic}}","connection_id":"{{id}}"}""");
    }

    [Theory]
    [InlineData("bad topic", 1, "invalid-topic")]
    [InlineData("a/+/b", 1, "invalid-topic")]
    [InlineData("$events", 1, "invalid-topic")]
    [InlineData("/$info", 1, "invalid-topic")]
    [InlineData("fine", 65537, "payload-too-large")]
    public async Task APublishThatBreaksARuleIsAnErrorAndThenTheConnectionIsClosed(string topic, int payloadSize, string code)
    {
        await using var listener = await EventListener.StartAsync(broker);
        var name = TestNames.ClientId();
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, name, Instance, Secret);

        await client.SendAsync(new PublishPacket(topic, new byte[payloadSize], QualityOfService.AtMostOnce, Retain: false, Duplicate: false, PacketId: 0));

        Assert.True(await client.WaitClosedAsync());
        var id = await listener.ConnectionIdAsync(name);
        var errored = await listener.NextAsync(root => Mentions(root, id));
        AssertEvent(errored, "errored", "error", new JsonObject { ["code"] = code, ["topic"] = topic, ["connection_id"] = id });
        var disconnected = await listener.NextAsync(root => Mentions(root, id));
        AssertEvent(disconnected, "disconnected", "disconnection", $$"""{"id":"{{id}}","name":"{{name}}"}""");
    }

    [Fact]
    public async Task AMalformedPacketIsAnErrorAndThenTheConnectionIsClosed()
    {
        await using var listener = await EventListener.StartAsync(broker);
        var name = TestNames.ClientId();
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, name, Instance, Secret);

        // A PUBLISH with QoS 3 [MQTT-3.3.1-4].
        await client.SendRawAsync([0x36, 0x03, 0x00, 0x01, (byte)'a']);

        Assert.True(await client.WaitClosedAsync());
        var id = await listener.ConnectionIdAsync(name);
        var errored = await listener.NextAsync(root => Mentions(root, id));
        AssertEvent(errored, "errored", "error", $$"""{"code":"malformed-packet","topic":null,"connection_id":"{{id}}"}""");
    }

    [Fact]
    public async Task ATooLongClientIdWithValidCredentialsIsAnErrorWithoutConnection()
    {
        await using var listener = await EventListener.StartAsync(broker);

        var (client, connAck) = await RawMqttClient.ConnectAsync(broker, new string('c', 65), Instance, Secret);
        await using var _ = client;

        Assert.Equal(ConnectReturnCode.IdentifierRejected, connAck.ReturnCode);
        var errored = await listener.NextAsync("errored", "code", "client-id-too-long");
        AssertEvent(errored, "errored", "error", """{"code":"client-id-too-long","topic":null,"connection_id":null}""");
    }

    [Fact]
    public async Task ASecondConnectIsAProtocolViolationError()
    {
        await using var listener = await EventListener.StartAsync(broker);
        var name = TestNames.ClientId();
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, name, Instance, Secret);

        await client.SendAsync(new ConnectPacket(
            ConnectPacket.Mqtt311ProtocolName, ConnectPacket.Mqtt311ProtocolLevel, name, true, 60, Instance, Encoding.UTF8.GetBytes(Secret), null));

        Assert.True(await client.WaitClosedAsync());
        var id = await listener.ConnectionIdAsync(name);
        var errored = await listener.NextAsync(root => Mentions(root, id));
        AssertEvent(errored, "errored", "error", $$"""{"code":"protocol-violation","topic":null,"connection_id":"{{id}}"}""");
    }

    [Theory]
    [InlineData("bad will", "invalid-topic")]
    [InlineData("$events", "invalid-topic")]
    public async Task AWillThatBreaksARuleIsAnErrorWithoutConnection(string topic, string code)
    {
        await using var listener = await EventListener.StartAsync(broker);
        await using var client = await RawMqttClient.OpenAsync(broker);

        await client.SendAsync(new ConnectPacket(
            ConnectPacket.Mqtt311ProtocolName,
            ConnectPacket.Mqtt311ProtocolLevel,
            TestNames.ClientId(),
            true,
            60,
            Instance,
            Encoding.UTF8.GetBytes(Secret),
            new WillMessage(topic, [1], QualityOfService.AtMostOnce, false)));

        Assert.True(await client.WaitClosedAsync());
        var errored = await listener.NextAsync("errored", "topic", topic);
        AssertEvent(errored, "errored", "error", new JsonObject { ["code"] = code, ["topic"] = topic, ["connection_id"] = null });
    }

    [Theory]
    [InlineData(Secret, "bad topic", 1, HttpStatusCode.BadRequest, "invalid-topic")]
    [InlineData(Secret, "http-big", 65537, HttpStatusCode.RequestEntityTooLarge, "payload-too-large")]
    [InlineData(BrokerFixture.EventsReadOnlySecret, "http-read-only", 1, HttpStatusCode.Forbidden, "read-only")]
    public async Task ARefusedHttpPublishIsAnErrorWithoutConnection(string secret, string topic, int payloadSize, HttpStatusCode status, string code)
    {
        await using var listener = await EventListener.StartAsync(broker);
        using var http = CreateHttpClient(secret);
        var unique = $"{topic}-{Guid.NewGuid():N}";

        using var response = await http.PostAsync(new Uri($"/broker/{Uri.EscapeDataString(unique)}", UriKind.Relative), new ByteArrayContent(new byte[payloadSize]));

        Assert.Equal(status, response.StatusCode);
        var errored = await listener.NextAsync("errored", "topic", unique);
        AssertEvent(errored, "errored", "error", new JsonObject { ["code"] = code, ["topic"] = unique, ["connection_id"] = null });
    }

    // $action

    [Fact]
    public async Task CloseActionOverMqttClosesTheTargetPublishesItsWillAndIsATriggeredEvent()
    {
        await using var listener = await EventListener.StartAsync(broker);
        var topic = TestNames.Topic();
        await using var watcher = await broker.ConnectAsync(Instance, Secret);
        await watcher.SubscribeAsync($"{topic}/will");
        var targetName = TestNames.ClientId("target");
        await using var target = await RawMqttClient.ConnectAcceptedAsync(
            broker, targetName, Instance, Secret, will: new WillMessage($"{topic}/will", "gone"u8.ToArray(), QualityOfService.AtLeastOnce, false));
        var actorName = TestNames.ClientId("actor");
        await using var actor = await broker.ConnectAsync(Instance, Secret, actorName);
        var targetId = await listener.ConnectionIdAsync(targetName);
        var actorId = await listener.ConnectionIdAsync(actorName);

        await actor.PublishAsync("$action", $$"""{"type":"close","target_id":"{{targetId}}"}""");

        Assert.True(await target.WaitClosedAsync());
        Assert.Equal(new ReceivedMessage($"{topic}/will", "gone", MqttQualityOfServiceLevel.AtLeastOnce, false), await watcher.ReceiveAsync());
        var triggered = await listener.NextAsync("triggered", "target_id", targetId);
        AssertEvent(triggered, "triggered", "action", $$"""{"type":"close","target_id":"{{targetId}}","connection_id":"{{actorId}}"}""");
        var disconnected = await listener.NextAsync("disconnected", "id", targetId);
        AssertEvent(disconnected, "disconnected", "disconnection", $$"""{"id":"{{targetId}}","name":"{{targetName}}"}""");
    }

    [Fact]
    public async Task CloseActionOverHttpClosesTheTargetAndIsATriggeredEventWithoutConnection()
    {
        await using var listener = await EventListener.StartAsync(broker);
        var targetName = TestNames.ClientId("target");
        await using var target = await RawMqttClient.ConnectAcceptedAsync(broker, targetName, Instance, Secret);
        var targetId = await listener.ConnectionIdAsync(targetName);
        using var http = CreateHttpClient();

        using var response = await http.PostAsync(
            new Uri("/broker/$action", UriKind.Relative),
            new StringContent($$"""{"type":"close","target_id":"{{targetId}}"}"""));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True(await target.WaitClosedAsync());
        var triggered = await listener.NextAsync("triggered", "target_id", targetId);
        AssertEvent(triggered, "triggered", "action", $$"""{"type":"close","target_id":"{{targetId}}","connection_id":null}""");
    }

    [Theory]
    [InlineData("not json", "invalid-action")]
    [InlineData("""{"type":"explode","target_id":"x"}""", "invalid-action")]
    [InlineData("""{"type":"close"}""", "invalid-action")]
    [InlineData("""{"type":"close","target_id":"000000000000000000"}""", "unknown-target")]
    public async Task AnActionThatCannotBeCarriedOutIsAnError(string payload, string code)
    {
        await using var listener = await EventListener.StartAsync(broker);
        var actorName = TestNames.ClientId("actor");
        await using var actor = await broker.ConnectAsync(Instance, Secret, actorName);
        var actorId = await listener.ConnectionIdAsync(actorName);

        await actor.PublishAsync("$action", payload);

        var errored = await listener.NextAsync("errored", "connection_id", actorId);
        AssertEvent(errored, "errored", "error", $$"""{"code":"{{code}}","topic":"$action","connection_id":"{{actorId}}"}""");
        Assert.True(actor.Client.IsConnected);
    }

    // $info

    [Theory]
    [InlineData("mqtt")]
    [InlineData("http")]
    public async Task InfoDescribesTheInstance(string via)
    {
        var topic = TestNames.Topic();
        var name = TestNames.ClientId("described");
        await using var listener = await EventListener.StartAsync(broker);
        await using var described = await broker.ConnectAsync(Instance, Secret, name);
        var id = await listener.ConnectionIdAsync(name);
        await described.SubscribeAsync($"/{topic}/a", MqttQualityOfServiceLevel.ExactlyOnce);
        await described.PublishAsync($"{topic}/r", "abc", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);

        var info = via == "mqtt" ? await SubscribeToInfoAsync() : await GetInfoAsync();

        AssertDescribes(info, id, name, topic);
    }

    [Theory]
    [InlineData("$events")]
    [InlineData("$info")]
    public async Task PostingToAReadOnlySystemTopicIsABadRequest(string topic)
    {
        using var http = CreateHttpClient();

        using var response = await http.PostAsync(new Uri($"/broker/{topic}", UriKind.Relative), new StringContent("x"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    /// <summary>$info as a subscription to it answers: a retained message on topic $info.</summary>
    private async Task<JsonNode> SubscribeToInfoAsync()
    {
        await using var asker = await broker.ConnectAsync(Instance, Secret);
        await asker.SubscribeAsync("$info", MqttQualityOfServiceLevel.AtMostOnce);
        var message = await asker.ReceiveAsync();
        Assert.Equal("$info", message.Topic);
        Assert.True(message.Retain);
        return JsonNode.Parse(message.Payload)!;
    }

    /// <summary>$info as GET /broker/$info answers it: JSON.</summary>
    private async Task<JsonNode> GetInfoAsync()
    {
        using var http = CreateHttpClient();
        using var response = await http.GetAsync(new Uri("/broker/$info", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static void AssertDescribes(JsonNode info, string id, string name, string topic)
    {
        Assert.Equal(Instance, (string?)info["name"]);
        var connections = info["connections"]!.AsArray();
        Assert.Contains(connections, connection => JsonNode.DeepEquals(connection, JsonNode.Parse($$"""{"id":"{{id}}","name":"{{name}}","read_only":false}""")));
        var subscriptions = info["subscriptions"]!.AsArray();
        Assert.Contains(subscriptions, subscription => JsonNode.DeepEquals(
            subscription, JsonNode.Parse($$"""{"topic":"{{topic}}/a","qos":2,"root_slash":true,"connection_id":"{{id}}"}""")));
        var retained = info["retained"]!.AsArray();
        Assert.Contains(retained, message => JsonNode.DeepEquals(message, JsonNode.Parse($$"""{"topic":"{{topic}}/r","qos":1,"size":3}""")));
        var counts = info["counts"]!;
        Assert.True((int)counts["connections"]! >= 2);
        Assert.Equal(connections.Count, (int)counts["connections"]!);
        Assert.True((int)counts["subscriptions"]! >= 1);
        Assert.True((int)counts["retained"]! >= 1);
        var messages = info["messages"]!;
        Assert.True((long)messages["published"]! >= 1);
        Assert.True((double)messages["published_per_second"]! > 0);
        Assert.NotNull(messages["delivered"]);
        Assert.NotNull(messages["delivered_per_second"]);
    }

    private static bool Mentions(JsonElement root, string connectionId)
    {
        var body = EventListener.Body(root);
        return (body.TryGetProperty("connection_id", out var by) && by.ValueKind == JsonValueKind.String && by.GetString() == connectionId)
            || (root.GetProperty("type").GetString() is "connected" or "disconnected" && body.GetProperty("id").GetString() == connectionId);
    }

    private static void AssertEvent(JsonElement root, string type, string objectName, string expectedBody) =>
        AssertEvent(root, type, objectName, JsonNode.Parse(expectedBody)!);

    private static void AssertEvent(JsonElement root, string type, string objectName, JsonNode expectedBody)
    {
        Assert.Equal(["id", "type", objectName], root.EnumerateObject().Select(property => property.Name));
        Assert.Equal(type, root.GetProperty("type").GetString());
        var actual = JsonNode.Parse(root.GetProperty(objectName).GetRawText());
        Assert.True(JsonNode.DeepEquals(expectedBody, actual), $"expected {expectedBody.ToJsonString()}, got {actual?.ToJsonString()}");
    }

    private HttpClient CreateHttpClient(string secret = Secret)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://{broker.Host}:{broker.HttpPort}"), Timeout = MqttTestClient.DefaultTimeout };
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Instance}:{secret}"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        return client;
    }
}
