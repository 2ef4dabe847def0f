using System.Text;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Infrastructure;

/// <summary>
/// An MQTTnet client (MQTT 3.1.1) connected to the test broker that queues every message it receives, so a test
/// can wait for the next one with a timeout, or collect everything up to a sentinel.
/// </summary>
public sealed class MqttTestClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<ReceivedMessage> _received = Channel.CreateUnbounded<ReceivedMessage>();

    private MqttTestClient(IMqttClient client)
    {
        Client = client;
        client.ApplicationMessageReceivedAsync += e =>
        {
            var message = e.ApplicationMessage;
            _received.Writer.TryWrite(new ReceivedMessage(
                message.Topic,
                Encoding.UTF8.GetString(message.Payload),
                message.QualityOfServiceLevel,
                message.Retain));
            return Task.CompletedTask;
        };
    }

    public IMqttClient Client { get; }

    public static async Task<MqttTestClient> ConnectAsync(
        BrokerFixture broker,
        string? instance = BrokerFixture.Instance,
        string? secret = BrokerFixture.Secret,
        string? clientId = null)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.MqttPort)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(clientId ?? TestNames.ClientId())
            .WithTimeout(DefaultTimeout);
        if (instance is not null)
        {
            builder.WithCredentials(instance, secret);
        }

        var client = new MqttClientFactory().CreateMqttClient();
        var testClient = new MqttTestClient(client);
        var result = await client.ConnectAsync(builder.Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return testClient;
    }

    public async Task SubscribeAsync(string filter, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce)
    {
        var result = await Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, qos).Build());
        var item = Assert.Single(result.Items);
        Assert.Equal((int)qos, (int)item.ResultCode);
    }

    public async Task UnsubscribeAsync(string filter)
    {
        var result = await Client.UnsubscribeAsync(filter);
        Assert.Equal(MqttClientUnsubscribeResultCode.Success, Assert.Single(result.Items).ResultCode);
    }

    public Task<MqttClientPublishResult> PublishAsync(
        string topic,
        string payload,
        MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce,
        bool retain = false) =>
        Client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(qos)
            .WithRetainFlag(retain)
            .Build());

    /// <summary>The next message received; throws <see cref="TimeoutException"/> when none arrives in time.</summary>
    public async Task<ReceivedMessage> ReceiveAsync(TimeSpan? timeout = null)
    {
        var wait = timeout ?? DefaultTimeout;
        using var timeoutSource = new CancellationTokenSource(wait);
        try
        {
            return await _received.Reader.ReadAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested)
        {
            throw new TimeoutException($"no message within {wait}");
        }
    }

    /// <summary>Every message received before the first one on <paramref name="sentinelTopic"/> (which is consumed).</summary>
    public async Task<List<ReceivedMessage>> ReceiveUntilAsync(string sentinelTopic, TimeSpan? timeout = null)
    {
        var before = new List<ReceivedMessage>();
        while (true)
        {
            var message = await ReceiveAsync(timeout);
            if (message.Topic == sentinelTopic)
            {
                return before;
            }

            before.Add(message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Client.IsConnected)
        {
            try
            {
                await Client.DisconnectAsync();
            }
            catch (Exception exception) when (exception is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
            }
        }

        Client.Dispose();
    }
}
