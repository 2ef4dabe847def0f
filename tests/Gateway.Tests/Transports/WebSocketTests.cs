using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using Broker.Protocol;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Transports;

/// <summary>MQTT over WebSocket as the MQTT specification describes it, driven frame by frame with a raw WebSocket client.</summary>
[Collection(TransportCollection.Name)]
public sealed class WebSocketTests(TransportFixture broker)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/mqtt")]
    [InlineData("/any/path")]
    public async Task WebSocketOnAnyPathIsAnMqttConnectionWithSubprotocolMqtt(string path)
    {
        await using var client = await RawWebSocketClient.OpenAsync(broker, path);
        await client.SendFrameAsync(RawWebSocketClient.Encode(Connect(TestNames.ClientId())));

        Assert.Equal(ConnectReturnCode.Accepted, (await client.ReceiveAsync<ConnAckPacket>()).ReturnCode);
        Assert.Equal("mqtt", client.SubProtocol);
    }

    [Fact]
    public async Task SubprotocolMqttv31IsAcceptedForMqtt31Clients()
    {
        await using var client = await RawWebSocketClient.OpenAsync(broker, "/mqtt", "mqttv3.1");
        await client.SendFrameAsync(RawWebSocketClient.Encode(Connect(TestNames.Mqtt31ClientId()) with
        {
            ProtocolName = ConnectPacket.Mqtt31ProtocolName,
            ProtocolLevel = ConnectPacket.Mqtt31ProtocolLevel,
        }));

        Assert.Equal(ConnectReturnCode.Accepted, (await client.ReceiveAsync<ConnAckPacket>()).ReturnCode);
        Assert.Equal("mqttv3.1", client.SubProtocol);
    }

    [Fact]
    public async Task WebSocketOfferingOnlyOtherSubprotocolsGets400()
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("chat");
        socket.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://{broker.Host}:{broker.HttpPort}/mqtt"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.BadRequest, socket.HttpStatusCode);
    }

    [Fact]
    public async Task PacketsSpanningFramesAreAssembled()
    {
        var topic = TestNames.Topic();
        await using var client = await RawWebSocketClient.OpenAsync(broker);
        var bytes = RawWebSocketClient.Encode(
            Connect(TestNames.ClientId()),
            new SubscribePacket(1, [new TopicSubscription(topic, QualityOfService.AtMostOnce)]),
            new PublishPacket(topic, Encoding.UTF8.GetBytes("split"), QualityOfService.AtMostOnce, false, false, 0));

        // One frame per byte: every packet, its fixed header included, spans several frames.
        foreach (var single in bytes)
        {
            await client.SendFrameAsync([single]);
        }

        Assert.Equal(ConnectReturnCode.Accepted, (await client.ReceiveAsync<ConnAckPacket>()).ReturnCode);
        Assert.Equal([SubscribeReturnCode.GrantedQos0], (await client.ReceiveAsync<SubAckPacket>()).ReturnCodes);
        var publish = await client.ReceiveAsync<PublishPacket>();
        Assert.Equal((topic, "split"), (publish.Topic, Encoding.UTF8.GetString(publish.Payload.Span)));
    }

    [Fact]
    public async Task FrameWithSeveralPacketsHasEveryPacketHandledInOrder()
    {
        var topic = TestNames.Topic();
        await using var client = await RawWebSocketClient.OpenAsync(broker);

        await client.SendFrameAsync(RawWebSocketClient.Encode(
            Connect(TestNames.ClientId()),
            new SubscribePacket(7, [new TopicSubscription(topic, QualityOfService.AtLeastOnce)]),
            PingReqPacket.Instance,
            new PublishPacket(topic, Encoding.UTF8.GetBytes("one frame"), QualityOfService.AtLeastOnce, false, false, 9)));

        Assert.Equal(ConnectReturnCode.Accepted, (await client.ReceiveAsync<ConnAckPacket>()).ReturnCode);
        Assert.Equal(7, (await client.ReceiveAsync<SubAckPacket>()).PacketId);
        await client.ReceiveAsync<PingRespPacket>();
        var acknowledged = 0;
        string? delivered = null;
        while (acknowledged == 0 || delivered is null)
        {
            // The PUBACK and the delivery of the client's own message may come in either order.
            switch (await client.ReceiveAsync<MqttPacket>())
            {
                case PubAckPacket pubAck:
                    acknowledged = pubAck.PacketId;
                    break;
                case PublishPacket publish:
                    delivered = Encoding.UTF8.GetString(publish.Payload.Span);
                    await client.SendFrameAsync(RawWebSocketClient.Encode(new PubAckPacket(publish.PacketId)));
                    break;
            }
        }

        Assert.Equal((9, "one frame"), (acknowledged, delivered));
    }

    [Fact]
    public async Task TextFrameClosesTheWebSocketWithStatusInvalidMessageType()
    {
        await using var client = await RawWebSocketClient.OpenAsync(broker);
        await client.SendFrameAsync(RawWebSocketClient.Encode(Connect(TestNames.ClientId())));
        await client.ReceiveAsync<ConnAckPacket>();

        await client.SendFrameAsync(Encoding.UTF8.GetBytes("hello"), WebSocketMessageType.Text);

        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await client.WaitClosedAsync());
    }

    [Fact]
    public async Task ClientClosingTheWebSocketEndsTheMqttConnectionUncleanly()
    {
        var willTopic = TestNames.Topic();
        await using var watcher = await broker.ConnectMqttNetAsync(Transport.Tcp);
        await watcher.SubscribeAsync(willTopic);
        await using var client = await RawWebSocketClient.OpenAsync(broker);
        await client.SendFrameAsync(RawWebSocketClient.Encode(Connect(TestNames.ClientId()) with
        {
            Will = new WillMessage(willTopic, Encoding.UTF8.GetBytes("gone"), QualityOfService.AtLeastOnce, false),
        }));
        await client.ReceiveAsync<ConnAckPacket>();

        await client.CloseOutputAsync();

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await client.WaitClosedAsync());
        Assert.Equal(new ReceivedMessage(willTopic, "gone", MqttQualityOfServiceLevel.AtLeastOnce, false), await watcher.ReceiveAsync());
    }

    [Fact]
    public async Task BrokerEndingTheMqttConnectionClosesTheWebSocket()
    {
        await using var client = await RawWebSocketClient.OpenAsync(broker);
        var connect = Connect(TestNames.ClientId());
        await client.SendFrameAsync(RawWebSocketClient.Encode(connect));
        await client.ReceiveAsync<ConnAckPacket>();

        // A second CONNECT is a protocol violation: the broker ends the connection.
        await client.SendFrameAsync(RawWebSocketClient.Encode(connect));

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await client.WaitClosedAsync());
    }

    [Fact]
    public async Task HttpRequestsOnTheWebSocketPortsStillReachTheHttpInterface()
    {
        var topic = TestNames.Topic();
        await using var subscriber = await NodeMqttClient.ConnectAsync(broker, Transport.WebSocket);
        await subscriber.SubscribeAsync($"{topic}/#");
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => TlsTrust.IsTrusted(broker.Certificate, certificate, errors),
        };
        using var http = new HttpClient(handler);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TransportFixture.Instance}:{TransportFixture.Secret}")));

        var plain = await http.PostAsync($"http://{broker.Host}:{broker.HttpPort}/broker/{topic}/http", new StringContent("over http"));
        var secure = await http.PostAsync($"https://localhost:{broker.HttpsPort}/broker/{topic}/https", new StringContent("over https"));

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent), (plain.StatusCode, secure.StatusCode));
        Assert.Equal($"{topic}/http over http", Describe(await subscriber.ReceiveAsync()));
        Assert.Equal($"{topic}/https over https", Describe(await subscriber.ReceiveAsync()));
    }

    private static string Describe(ReceivedMessage message) => $"{message.Topic} {message.Payload}";

    private static ConnectPacket Connect(string clientId) => new(
        ConnectPacket.Mqtt311ProtocolName,
        ConnectPacket.Mqtt311ProtocolLevel,
        clientId,
        CleanSession: true,
        KeepAliveSeconds: 60,
        TransportFixture.Instance,
        Encoding.UTF8.GetBytes(TransportFixture.Secret),
        Will: null);
}
