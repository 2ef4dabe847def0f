using System.Text;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace Broker.TestHost;

/// <summary>
/// An MQTTnet client of the broker under test, over TCP, TLS or WebSocket, that queues every message it receives,
/// so that a test waits for the next one with a timeout, or collects everything up to a sentinel. Connecting,
/// subscribing and unsubscribing check the broker's answer and throw when it is not the one asked for.
/// </summary>
public sealed class MqttTestClient : ITransportClient
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<ReceivedMessage> _received = Channel.CreateUnbounded<ReceivedMessage>();
    private readonly TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
        client.DisconnectedAsync += _ =>
        {
            _disconnected.TrySetResult();
            return Task.CompletedTask;
        };
    }

    public IMqttClient Client { get; }

    /// <summary>Completes when the connection closes, whether the broker or the client closed it.</summary>
    public Task Disconnected => _disconnected.Task;

    /// <summary>A connected client; throws <see cref="InvalidOperationException"/> when the broker refuses it.</summary>
    public static async Task<MqttTestClient> ConnectAsync(string host, int port, MqttTestClientOptions? options = null)
    {
        var (client, code) = await TryConnectAsync(host, port, options);
        return client ?? throw new InvalidOperationException($"The broker refused the connection: {code}.");
    }

    /// <summary>A connected client with the broker's answer, or no client and the broker's refusal.</summary>
    public static async Task<(MqttTestClient? Client, MqttClientConnectResultCode Code)> TryConnectAsync(
        string host,
        int port,
        MqttTestClientOptions? options = null)
    {
        var client = new MqttTestClient(new MqttClientFactory().CreateMqttClient());
        var result = await client.Client.ConnectAsync(ClientOptions(host, port, options ?? new MqttTestClientOptions()));
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Client.Dispose();
            return (null, result.ResultCode);
        }

        return (client, result.ResultCode);
    }

    /// <summary>Subscribes and returns once the broker granted the QoS asked for.</summary>
    public async Task SubscribeAsync(string filter, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce)
    {
        var result = await Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, qos).Build());
        var granted = result.Items.Single().ResultCode;
        if ((int)granted != (int)qos)
        {
            throw new InvalidOperationException($"SUBSCRIBE to {filter} at {qos} was answered {granted}.");
        }
    }

    public async Task UnsubscribeAsync(string filter)
    {
        var result = await Client.UnsubscribeAsync(filter);
        var answer = result.Items.Single().ResultCode;
        if (answer != MqttClientUnsubscribeResultCode.Success)
        {
            throw new InvalidOperationException($"UNSUBSCRIBE from {filter} was answered {answer}.");
        }
    }

    /// <summary>Publishes and returns once the broker acknowledged it as the QoS asks (at once for QoS 0).</summary>
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

    Task ITransportClient.SubscribeAsync(string filter) => SubscribeAsync(filter);

    async Task ITransportClient.PublishAsync(string topic, string payload)
    {
        var result = await PublishAsync(topic, payload);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"PUBLISH to {topic} was not acknowledged: {result.ReasonCode}.");
        }
    }

    Task<ReceivedMessage> ITransportClient.ReceiveAsync() => ReceiveAsync();

    public async ValueTask DisposeAsync()
    {
        if (Client.IsConnected)
        {
            try
            {
                await Client.DisconnectAsync();
            }
            catch (Exception exception) when (exception is MqttCommunicationException or OperationCanceledException)
            {
            }
        }

        Client.Dispose();
    }

    private static MqttClientOptions ClientOptions(string host, int port, MqttTestClientOptions options)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithProtocolVersion(options.ProtocolVersion)
            .WithClientId(options.ClientId ?? TestNames.ClientId())
            .WithTimeout(options.Timeout);
        if (options.Instance is not null)
        {
            builder.WithCredentials(options.Instance, options.Secret);
        }

        if (options.Will is { } will)
        {
            builder.WithWillTopic(will.Topic).WithWillPayload(will.Payload);
        }

        switch (options.Transport)
        {
            case Transport.Tcp:
                builder.WithTcpServer(host, port);
                break;
            case Transport.Tls:
                builder.WithTcpServer(host, port).WithTlsOptions(tls => Secure(tls, host, options));
                break;
            case Transport.WebSocket:
                builder.WithWebSocketServer(webSocket => webSocket.WithUri($"ws://{host}:{port}{options.WebSocketPath}"));
                break;
            case Transport.SecureWebSocket:
                builder.WithWebSocketServer(webSocket => webSocket.WithUri($"wss://{host}:{port}{options.WebSocketPath}"))
                    .WithTlsOptions(tls => Secure(tls, host, options));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Transport, "not a transport the gateway offers");
        }

        return builder.Build();
    }

    private static void Secure(MqttClientTlsOptionsBuilder tls, string host, MqttTestClientOptions options)
    {
        tls.UseTls().WithTargetHost(host);
        if (options.TrustedCertificate is { } trusted)
        {
            tls.WithCertificateValidationHandler(args => TlsTrust.IsTrusted(trusted, args.Certificate, args.SslPolicyErrors));
        }
    }
}
