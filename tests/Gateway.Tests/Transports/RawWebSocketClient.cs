using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using Broker.Protocol;

namespace Broker.Gateway.Tests.Transports;

/// <summary>
/// A WebSocket client that sends exactly the frames a test gives it and parses what the broker sends with the
/// project's own codec, whatever the frame boundaries. A background loop reads until the broker's Close frame,
/// whose status it keeps.
/// </summary>
public sealed class RawWebSocketClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket;
    private readonly Channel<MqttPacket> _received = Channel.CreateUnbounded<MqttPacket>();
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reading;

    private RawWebSocketClient(ClientWebSocket socket)
    {
        _socket = socket;
        _reading = ReadLoopAsync();
    }

    /// <summary>The subprotocol the broker chose.</summary>
    public string? SubProtocol => _socket.SubProtocol;

    public static async Task<RawWebSocketClient> OpenAsync(TransportFixture broker, string path = "/mqtt", params string[] subProtocols)
    {
        var socket = new ClientWebSocket();
        foreach (var subProtocol in subProtocols.Length == 0 ? ["mqtt"] : subProtocols)
        {
            socket.Options.AddSubProtocol(subProtocol);
        }

        await socket.ConnectAsync(new Uri($"ws://{broker.Host}:{broker.HttpPort}{path}"), CancellationToken.None);
        return new RawWebSocketClient(socket);
    }

    /// <summary>The packets written one after the other, as bytes.</summary>
    public static byte[] Encode(params MqttPacket[] packets)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var packet in packets)
        {
            packet.Write(buffer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Sends the bytes as one binary frame.</summary>
    public Task SendFrameAsync(byte[] bytes, WebSocketMessageType type = WebSocketMessageType.Binary) =>
        _socket.SendAsync(bytes, type, endOfMessage: true, CancellationToken.None);

    public async Task<T> ReceiveAsync<T>() where T : MqttPacket
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        try
        {
            if (await _received.Reader.WaitToReadAsync(timeout.Token) && _received.Reader.TryRead(out var packet))
            {
                return Assert.IsAssignableFrom<T>(packet);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"no packet from the broker within {DefaultTimeout}");
        }

        throw new InvalidOperationException("the broker closed the WebSocket before sending a packet");
    }

    /// <summary>The status of the broker's Close frame (null if the socket ended without one); throws when it does not come in time.</summary>
    public Task<WebSocketCloseStatus?> WaitClosedAsync() => _closed.Task.WaitAsync(DefaultTimeout);

    /// <summary>Closes the WebSocket from the client's side with a Close frame, without MQTT DISCONNECT.</summary>
    public Task CloseOutputAsync() => _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await _reading;
        _socket.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var count = 0;
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult(_socket.CloseStatus);
                    return;
                }

                count += result.Count;
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
        catch (Exception exception) when (exception is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            _closed.TrySetResult(null);
            _received.Writer.TryComplete();
        }
    }
}
