using Broker.Gateway.Routing;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>CONNECT authenticates against the instance named by the user name, with a token secret as password.</summary>
[Collection(BrokerCollection.Name)]
public sealed class AuthenticationTests(BrokerFixture broker)
{
    [Theory]
    [InlineData(BrokerFixture.Instance, "wrong-secret")]
    [InlineData(BrokerFixture.Instance, BrokerFixture.OtherSecret)]
    [InlineData(BrokerFixture.Instance, "")]
    [InlineData(BrokerFixture.Instance, null)]
    [InlineData("no-such-instance", BrokerFixture.Secret)]
    [InlineData("local", "anything")]
    public async Task BadCredentialsAreRefusedWithNotAuthorizedAndTheConnectionIsClosed(string instance, string? secret)
    {
        var (client, connAck) = await RawMqttClient.ConnectAsync(broker, TestNames.ClientId(), instance, secret);
        await using (client)
        {
            Assert.Equal(new ConnAckPacket(SessionPresent: false, ConnectReturnCode.NotAuthorized), connAck);
            Assert.True(await client.WaitClosedAsync());
        }
    }

    [Fact]
    public async Task RefusedClientsWithMadeUpInstancesLeaveNoRouterBehind()
    {
        var names = Enumerable.Range(0, 20).Select(_ => $"made-up-{Guid.NewGuid():N}").ToList();
        using var http = new HttpClient { BaseAddress = new Uri($"http://{broker.Host}:{broker.HttpPort}") };

        foreach (var name in names)
        {
            var (client, connAck) = await RawMqttClient.ConnectAsync(broker, TestNames.ClientId(), name, "secret");
            await using (client)
            {
                Assert.Equal(ConnectReturnCode.NotAuthorized, connAck.ReturnCode);
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, "/broker/x");
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{name}:secret")));
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.SendAsync(request)).StatusCode);
        }

        var links = broker.Services.GetRequiredService<InstanceLinks>();
        Assert.All(names, name => Assert.False(links.TryGet(name, out _)));
    }

    [Fact]
    public async Task MqttNetClientSeesNotAuthorizedForWrongPassword()
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.MqttPort)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithClientId(TestNames.ClientId())
            .WithCredentials(BrokerFixture.Instance, "wrong-secret")
            .Build();

        var result = await client.ConnectAsync(options);

        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result.ResultCode);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task ReadOnlyTokenConnectsAndItsPublishesAreAcknowledgedButNotDelivered()
    {
        var prefix = TestNames.Topic();
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{prefix}/+");
        await using var readOnly = await broker.ConnectAsync(BrokerFixture.Instance, BrokerFixture.ReadOnlySecret);

        var atLeastOnce = await readOnly.PublishAsync($"{prefix}/a", "qos 1", MqttQualityOfServiceLevel.AtLeastOnce);
        var exactlyOnce = await readOnly.PublishAsync($"{prefix}/a", "qos 2", MqttQualityOfServiceLevel.ExactlyOnce);
        await readOnly.PublishAsync($"{prefix}/a", "qos 0", MqttQualityOfServiceLevel.AtMostOnce);
        await readOnly.PublishAsync($"{prefix}/retained", "retained", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);

        Assert.True(atLeastOnce.IsSuccess);
        Assert.True(exactlyOnce.IsSuccess);
        await using var writer = await broker.ConnectAsync();
        await writer.PublishAsync($"{prefix}/sentinel", "sentinel");
        Assert.Empty(await subscriber.ReceiveUntilAsync($"{prefix}/sentinel"));
    }

    [Fact]
    public async Task ReadOnlyTokenCanSubscribeAndReceive()
    {
        var topic = $"{TestNames.Topic()}/a";
        await using var readOnly = await broker.ConnectAsync(BrokerFixture.Instance, BrokerFixture.ReadOnlySecret);
        await readOnly.SubscribeAsync(topic);
        await using var writer = await broker.ConnectAsync();

        await writer.PublishAsync(topic, "for readers");

        Assert.Equal(new ReceivedMessage(topic, "for readers", MqttQualityOfServiceLevel.AtLeastOnce, Retain: false), await readOnly.ReceiveAsync());
    }

    [Fact]
    public async Task PublicInstanceAcceptsItsWellKnownToken()
    {
        await using var client = await broker.ConnectAsync("public", "public");
        Assert.True(client.Client.IsConnected);
    }

    [Fact]
    public async Task ClientWithoutUserNameIsInTheLocalInstanceIsolatedFromAlpha()
    {
        await AssertIsolatedAsync(
            () => broker.ConnectAsync(instance: null, secret: null),
            () => broker.ConnectAsync(BrokerFixture.Instance, BrokerFixture.Secret));
    }

    [Fact]
    public async Task SameTopicInTwoInstancesIsNotDeliveredAcrossThem()
    {
        await AssertIsolatedAsync(
            () => broker.ConnectAsync(BrokerFixture.Instance, BrokerFixture.Secret),
            () => broker.ConnectAsync(BrokerFixture.OtherInstance, BrokerFixture.OtherSecret));
    }

    [Fact]
    public async Task RetainedMessagesAreNotSharedAcrossInstances()
    {
        var prefix = TestNames.Topic();
        await using var alpha = await broker.ConnectAsync(BrokerFixture.Instance, BrokerFixture.Secret);
        await using var beta = await broker.ConnectAsync(BrokerFixture.OtherInstance, BrokerFixture.OtherSecret);
        await alpha.PublishAsync($"{prefix}/state", "alpha", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);

        await beta.SubscribeAsync($"{prefix}/+");
        await beta.PublishAsync($"{prefix}/sentinel", "sentinel");

        Assert.Empty(await beta.ReceiveUntilAsync($"{prefix}/sentinel"));
    }

    /// <summary>
    /// Both instances get a message on the same topic. Each subscriber receives its own instance's message; then
    /// each instance gets a sentinel, published only after both messages arrived, so a message that crossed over
    /// would have arrived before the sentinel.
    /// </summary>
    private static async Task AssertIsolatedAsync(Func<Task<MqttTestClient>> connectFirst, Func<Task<MqttTestClient>> connectSecond)
    {
        var prefix = TestNames.Topic();
        await using var firstSubscriber = await connectFirst();
        await using var firstPublisher = await connectFirst();
        await using var secondSubscriber = await connectSecond();
        await using var secondPublisher = await connectSecond();
        await firstSubscriber.SubscribeAsync($"{prefix}/+");
        await secondSubscriber.SubscribeAsync($"{prefix}/+");

        await firstPublisher.PublishAsync($"{prefix}/shared", "first");
        await secondPublisher.PublishAsync($"{prefix}/shared", "second");
        var firstReceived = await firstSubscriber.ReceiveAsync();
        var secondReceived = await secondSubscriber.ReceiveAsync();
        await firstPublisher.PublishAsync($"{prefix}/sentinel", "sentinel");
        await secondPublisher.PublishAsync($"{prefix}/sentinel", "sentinel");

        Assert.Equal(new ReceivedMessage($"{prefix}/shared", "first", MqttQualityOfServiceLevel.AtLeastOnce, Retain: false), firstReceived);
        Assert.Equal(new ReceivedMessage($"{prefix}/shared", "second", MqttQualityOfServiceLevel.AtLeastOnce, Retain: false), secondReceived);
        Assert.Empty(await firstSubscriber.ReceiveUntilAsync($"{prefix}/sentinel"));
        Assert.Empty(await secondSubscriber.ReceiveUntilAsync($"{prefix}/sentinel"));
    }
}
