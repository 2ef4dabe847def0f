using System.Text;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Cluster;

/// <summary>An MQTTnet client of the gateway under test that queues what it receives, so tests await the next message.</summary>
public sealed class ClusterClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly IMqttClient _client;
    private readonly Channel<(string Topic, string Payload, MqttQualityOfServiceLevel Qos, bool Retain)> _received = Channel.CreateUnbounded<(string, string, MqttQualityOfServiceLevel, bool)>();
    private readonly TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ClusterClient(IMqttClient client)
    {
        _client = client;
        client.DisconnectedAsync += _ =>
        {
            _disconnected.TrySetResult();
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += e =>
        {
            var message = e.ApplicationMessage;
            _received.Writer.TryWrite((message.Topic, Encoding.UTF8.GetString(message.Payload), message.QualityOfServiceLevel, message.Retain));
            return Task.CompletedTask;
        };
    }

    /// <summary>Closed by the broker (or by the client itself).</summary>
    public Task Disconnected => _disconnected.Task;

    public static async Task<(ClusterClient? Client, MqttClientConnectResultCode Code)> TryConnectAsync(
        ClusterGatewayFixture gateway,
        string? instance,
        string? secret,
        int? port = null,
        string? clientId = null,
        (string Topic, string Payload)? will = null)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(gateway.Host, port ?? gateway.MqttPort)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(clientId ?? $"cluster-{Guid.NewGuid():N}")
            .WithTimeout(Timeout);
        if (instance is not null)
        {
            options.WithCredentials(instance, secret);
        }

        if (will is { } lastWill)
        {
            options.WithWillTopic(lastWill.Topic).WithWillPayload(lastWill.Payload);
        }

        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(options.Build());
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            return (null, result.ResultCode);
        }

        return (new ClusterClient(client), result.ResultCode);
    }

    public static async Task<ClusterClient> ConnectAsync(
        ClusterGatewayFixture gateway,
        string instance,
        string secret,
        int? port = null,
        string? clientId = null,
        (string Topic, string Payload)? will = null)
    {
        var (client, code) = await TryConnectAsync(gateway, instance, secret, port, clientId, will);
        Assert.Equal(MqttClientConnectResultCode.Success, code);
        return client!;
    }

    public async Task SubscribeAsync(string filter, MqttQualityOfServiceLevel qos)
    {
        var result = await _client.SubscribeAsync(filter, qos);
        Assert.Equal((int)qos, (int)Assert.Single(result.Items).ResultCode);
    }

    public Task PublishAsync(string topic, string payload, MqttQualityOfServiceLevel qos, bool retain = false) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(qos)
            .WithRetainFlag(retain)
            .Build());

    public async Task<(string Topic, string Payload, MqttQualityOfServiceLevel Qos, bool Retain)> NextAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    public void Dispose() => _client.Dispose();
}
