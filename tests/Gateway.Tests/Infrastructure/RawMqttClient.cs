using System.Buffers;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Broker.Protocol;

namespace Broker.Gateway.Tests.Infrastructure;

/// <summary>
/// An MQTT client that does nothing on its own: it sends exactly the packets or bytes a test gives it and
/// hands back every packet the broker sends, in order, parsed with the project's own codec. A background read
/// loop parses the socket into a channel and notes when the broker closes the connection.
/// </summary>
public sealed class RawMqttClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly Channel<MqttPacket> _received = Channel.CreateUnbounded<MqttPacket>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    private RawMqttClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reading = ReadLoopAsync();
    }

    /// <summary>Set when the broker closed the connection (end of stream or reset).</summary>
    public Task Closed => _closed.Task;

    public static async Task<RawMqttClient> OpenAsync(BrokerFixture broker)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(broker.Host, broker.MqttPort);
        return new RawMqttClient(tcp);
    }

    /// <summary>Opens a connection and sends CONNECT with the given fields; returns the client and the broker's CONNACK.</summary>
    public static async Task<(RawMqttClient Client, ConnAckPacket ConnAck)> ConnectAsync(
        BrokerFixture broker,
        string clientId,
        string? instance = BrokerFixture.Instance,
        string? secret = BrokerFixture.Secret,
        ushort keepAliveSeconds = 60,
        bool cleanSession = true,
        WillMessage? will = null)
    {
        var client = await OpenAsync(broker);
        await client.SendAsync(new ConnectPacket(
            ConnectPacket.Mqtt311ProtocolName,
            ConnectPacket.Mqtt311ProtocolLevel,
            clientId,
            cleanSession,
            keepAliveSeconds,
            instance,
            secret is null ? null : Encoding.UTF8.GetBytes(secret),
            will));
        var connAck = await client.ReceiveAsync<ConnAckPacket>();
        return (client, connAck);
    }

    /// <summary>Connects and asserts that the broker accepted the connection.</summary>
    public static async Task<RawMqttClient> ConnectAcceptedAsync(
        BrokerFixture broker,
        string clientId,
        string? instance = BrokerFixture.Instance,
        string? secret = BrokerFixture.Secret,
        ushort keepAliveSeconds = 60,
        WillMessage? will = null)
    {
        var (client, connAck) = await ConnectAsync(broker, clientId, instance, secret, keepAliveSeconds, cleanSession: true, will);
        Assert.Equal(ConnectReturnCode.Accepted, connAck.ReturnCode);
        return client;
    }

    /// <summary>An accepted client subscribed at QoS 0 (no acknowledgements to send) to the given filters.</summary>
    public static async Task<RawMqttClient> ConnectSubscribedAsync(BrokerFixture broker, params string[] filters)
    {
        var client = await ConnectAcceptedAsync(broker, TestNames.ClientId());
        await client.SendAsync(new SubscribePacket(1, [.. filters.Select(filter => new TopicSubscription(filter, QualityOfService.AtMostOnce))]));
        var subAck = await client.ReceiveAsync<SubAckPacket>();
        Assert.Equal(1, subAck.PacketId);
        Assert.Equal([.. filters.Select(_ => SubscribeReturnCode.GrantedQos0)], subAck.ReturnCodes);
        return client;
    }

    /// <summary>Every PUBLISH received before the first one on <paramref name="sentinelTopic"/> (which is consumed).</summary>
    public async Task<List<PublishPacket>> ReceiveUntilAsync(string sentinelTopic)
    {
        var before = new List<PublishPacket>();
        while (true)
        {
            var publish = await ReceiveAsync<PublishPacket>();
            if (publish.Topic == sentinelTopic)
            {
                return before;
            }

            before.Add(publish);
        }
    }

    public async Task SendAsync(params MqttPacket[] packets)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var packet in packets)
        {
            packet.Write(buffer);
        }

        await SendRawAsync(buffer.WrittenMemory);
    }

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public Task SendRawAsync(byte[] bytes) => SendRawAsync(bytes.AsMemory());

    /// <summary>The next packet from the broker; throws when none arrives in time or the connection closes first.</summary>
    public async Task<MqttPacket> ReceiveAsync(TimeSpan timeout)
    {
        using var timeoutSource = new CancellationTokenSource(timeout);
        try
        {
            if (await _received.Reader.WaitToReadAsync(timeoutSource.Token) && _received.Reader.TryRead(out var packet))
            {
                return packet;
            }
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested)
        {
            throw new TimeoutException($"no packet from the broker within {timeout}");
        }

        throw new InvalidOperationException("the broker closed the connection before sending a packet");
    }

    public Task<MqttPacket> ReceiveAsync() => ReceiveAsync(DefaultTimeout);

    /// <summary>The next packet, which must be of type <typeparamref name="T"/>.</summary>
    public async Task<T> ReceiveAsync<T>(TimeSpan? timeout = null) where T : MqttPacket
    {
        var packet = await ReceiveAsync(timeout ?? DefaultTimeout);
        return Assert.IsType<T>(packet);
    }

    /// <summary>True when the broker closes the connection within <paramref name="timeout"/>; packets still queued are kept.</summary>
    public async Task<bool> WaitClosedAsync(TimeSpan timeout)
    {
        try
        {
            await _closed.Task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public Task<bool> WaitClosedAsync() => WaitClosedAsync(DefaultTimeout);

    /// <summary>PINGREQ and its PINGRESP: proves the connection is open and has answered everything sent before.</summary>
    public async Task PingAsync()
    {
        await SendAsync(PingReqPacket.Instance);
        await ReceiveAsync<PingRespPacket>();
    }

    /// <summary>Ends the connection abruptly, without DISCONNECT, as a crashing client would.</summary>
    public void Kill()
    {
        _tcp.Client.LingerState = new LingerOption(true, 0);
        _tcp.Close();
    }

    /// <summary>Ends the client's sending side (FIN) without DISCONNECT; the broker still reads everything sent before.</summary>
    public void CloseOutput() => _tcp.Client.Shutdown(SocketShutdown.Send);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _tcp.Dispose();
        try
        {
            await _reading;
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var count = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var read = await _stream.ReadAsync(buffer.AsMemory(count), _stop.Token);
                if (read == 0)
                {
                    return;
                }

                count += read;
                var sequence = new ReadOnlySequence<byte>(buffer, 0, count);
                while (PacketReader.TryRead(ref sequence, int.MaxValue / 2, out var packet))
                {
                    _received.Writer.TryWrite(packet);
                }

                var consumed = count - (int)sequence.Length;
                Buffer.BlockCopy(buffer, consumed, buffer, 0, count - consumed);
                count -= consumed;
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            _closed.TrySetResult();
            _received.Writer.TryComplete();
        }
    }
}
