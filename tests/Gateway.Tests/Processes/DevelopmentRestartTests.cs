using System.Net;
using System.Net.Http.Headers;
using Broker.TestHost;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// The development broker killed (kill -9) and started again on the same data folder: the instances created through
/// the admin API and the retained messages it had acknowledged are there again, cleared ones stay cleared.
/// </summary>
public sealed class DevelopmentRestartTests : IDisposable
{
    private const string AdminKey = "restart-admin-key";
    private const string TokenSecret = "kept-secret";

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), $"broker-restart-tests-{Guid.NewGuid():N}");
    private readonly string _instance = $"kept{Guid.NewGuid():N}";

    [Fact]
    public async Task InstancesAndRetainedMessagesAcknowledgedBeforeAKillAreThereAfterTheRestart()
    {
        var (mqttPort, httpPort) = (FreePort.Next(), FreePort.Next());
        await using (var broker = StartBroker(mqttPort, httpPort))
        {
            await broker.WaitForLineAsync("listening: MQTT on port");
            using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/admin/instances", new StringContent($$"""{"name":"{{_instance}}"}"""))).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/admin/instances/{_instance}/tokens", new StringContent($$"""{"secret":"{{TokenSecret}}"}"""))).StatusCode);

            await using var publisher = await Connect(mqttPort);
            await publisher.PublishAsync("state/kitchen", "on", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
            await publisher.PublishAsync("state/hall", "off", MqttQualityOfServiceLevel.ExactlyOnce, retain: true);
            await publisher.PublishAsync("state/cellar", "soon cleared", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
            await publisher.PublishAsync("state/cellar", "", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
            await broker.KillAsync();
        }

        await using var restarted = StartBroker(mqttPort, httpPort);
        await restarted.WaitForLineAsync("listening: MQTT on port");
        await using var subscriber = await Connect(mqttPort);
        await subscriber.SubscribeAsync("state/#", MqttQualityOfServiceLevel.ExactlyOnce);

        var received = new[] { await subscriber.ReceiveAsync(), await subscriber.ReceiveAsync() };
        Assert.Equal(
            [
                new ReceivedMessage("state/hall", "off", MqttQualityOfServiceLevel.ExactlyOnce, true),
                new ReceivedMessage("state/kitchen", "on", MqttQualityOfServiceLevel.AtLeastOnce, true),
            ],
            received.OrderBy(message => message.Topic));
        await subscriber.SubscribeAsync("sentinel");
        await subscriber.PublishAsync("sentinel", "end");
        Assert.Equal("sentinel", (await subscriber.ReceiveAsync()).Topic);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    private BrokerProcess StartBroker(int mqttPort, int httpPort) => BrokerProcess.Start("Gateway", new Dictionary<string, string>
    {
        ["Broker:DataPath"] = _dataPath,
        ["Broker:Admin:Key"] = AdminKey,
        ["Broker:Silo:Port"] = $"{FreePort.Next()}",
        ["Broker:Silo:GatewayPort"] = $"{FreePort.Next()}",
        ["Broker:Ports:Mqtt"] = $"{mqttPort}",
        ["Broker:Ports:MqttTls"] = "0",
        ["Broker:Ports:Http"] = $"{httpPort}",
        ["Broker:Ports:Https"] = "0",
    });

    private Task<MqttTestClient> Connect(int port) =>
        MqttTestClient.ConnectAsync("127.0.0.1", port, new MqttTestClientOptions { Instance = _instance, Secret = TokenSecret, ClientId = TestNames.ClientId() });
}
