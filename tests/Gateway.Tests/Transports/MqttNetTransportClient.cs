using System.Text;
using System.Threading.Channels;
using Broker.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Transports;

/// <summary>An MQTTnet client (MQTT 3.1.1) over TCP or TLS; over TLS it trusts only the gateway's development certificate.</summary>
public sealed class MqttNetTransportClient : ITransportClient
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly Channel<ReceivedMessage> _received = Channel.CreateUnbounded<ReceivedMessage>();

    private MqttNetTransportClient()
    {
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var message = e.ApplicationMessage;
            _received.Writer.TryWrite(new ReceivedMessage(message.Topic, Encoding.UTF8.GetString(message.Payload), message.QualityOfServiceLevel, message.Retain));
            return Task.CompletedTask;
        };
    }

    public static async Task<MqttNetTransportClient> ConnectAsync(TransportFixture broker, Transport transport)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(TestNames.ClientId(transport.ToString().ToLowerInvariant()))
            .WithCredentials(TransportFixture.Instance, TransportFixture.Secret)
            .WithTimeout(MqttTestClient.DefaultTimeout);
        switch (transport)
        {
            case Transport.Tcp:
                builder.WithTcpServer(broker.Host, broker.MqttPort);
                break;
            case Transport.Tls:
                builder.WithTcpServer("localhost", broker.MqttTlsPort).WithTlsOptions(tls => tls
                    .UseTls()
                    .WithTargetHost("localhost")
                    .WithCertificateValidationHandler(args => TlsTrust.IsTrusted(broker.Certificate, args.Certificate, args.SslPolicyErrors)));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(transport), transport, "MQTTnet is used for TCP and TLS here");
        }

        var client = new MqttNetTransportClient();
        var result = await client._client.ConnectAsync(builder.Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    public async Task SubscribeAsync(string filter)
    {
        var result = await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(result.Items).ResultCode);
    }

    public async Task PublishAsync(string topic, string payload)
    {
        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.True(result.IsSuccess, $"PUBLISH not acknowledged: {result.ReasonCode}");
    }

    public async Task<ReceivedMessage> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(MqttTestClient.DefaultTimeout);
        try
        {
            return await _received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"no message within {MqttTestClient.DefaultTimeout}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
