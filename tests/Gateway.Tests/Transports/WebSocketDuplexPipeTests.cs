using System.Buffers;
using System.Net.WebSockets;
using Broker.Gateway.Transports;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Gateway.Tests.Transports;

/// <summary>
/// The WebSocket bridge over an in-memory stream, where a test can see the moment the bridge waits for the client
/// and count the buffers its pipes hold then: an idle WebSocket holds none.
/// </summary>
public sealed class WebSocketDuplexPipeTests : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly CountingMemoryPool _pool = new();
    private readonly PipeStream _serverStream;
    private readonly WebSocket _server;
    private readonly WebSocket _client;
    private readonly WebSocketDuplexPipe _pipe;

    public WebSocketDuplexPipeTests()
    {
        var (serverStream, clientStream) = PipeStream.CreatePair();
        _serverStream = serverStream;
        _server = WebSocket.CreateFromStream(serverStream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        _client = WebSocket.CreateFromStream(clientStream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        _pipe = new WebSocketDuplexPipe(_server, maxPacketSize: 64 * 1024, "test", NullLogger.Instance, _pool);
    }

    [Fact]
    public async Task WebSocketWaitingForItsFirstFrameHoldsNoBuffer()
    {
        var idle = _serverStream.NextReadWaitsAsync();

        var running = _pipe.RunAsync();
        await idle.WaitAsync(Timeout);

        Assert.Equal(0, _pool.Outstanding);
        await CloseFromTheClientAsync(running);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(20_000)]
    public async Task WebSocketWaitingAfterAFrameHoldsNoBufferOnceTheFrameIsRead(int size)
    {
        var bytes = Enumerable.Range(0, size).Select(i => (byte)i).ToArray();
        var running = await StartIdleAsync();
        var idle = _serverStream.NextReadWaitsAsync();

        await _client.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        var received = await ReadAsync(size);
        await idle.WaitAsync(Timeout);

        Assert.Equal(bytes, received);
        Assert.Equal(0, _pool.Outstanding);
        await CloseFromTheClientAsync(running);
    }

    [Fact]
    public async Task EmptyFrameIsSkippedWithoutTakingABuffer()
    {
        var running = await StartIdleAsync();
        var idle = _serverStream.NextReadWaitsAsync();

        await _client.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        await idle.WaitAsync(Timeout);
        Assert.Equal(0, _pool.Outstanding);

        await _client.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        Assert.Equal([1, 2, 3], await ReadAsync(3));
        await CloseFromTheClientAsync(running);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        _server.Dispose();
        await _pipe.Input.CompleteAsync();
        await _pipe.Output.CompleteAsync();
    }

    private async Task<Task> StartIdleAsync()
    {
        var idle = _serverStream.NextReadWaitsAsync();
        var running = _pipe.RunAsync();
        await idle.WaitAsync(Timeout);
        return running;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes from the bridge's input and consumes them.</summary>
    private async Task<byte[]> ReadAsync(int count)
    {
        var result = await _pipe.Input.ReadAtLeastAsync(count).AsTask().WaitAsync(Timeout);
        var bytes = result.Buffer.ToArray();
        _pipe.Input.AdvanceTo(result.Buffer.End);
        Assert.Equal(count, bytes.Length);
        return bytes;
    }

    /// <summary>The client's Close ends the input; the completed output then answers with a Close frame.</summary>
    private async Task CloseFromTheClientAsync(Task running)
    {
        await _client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        var end = await _pipe.Input.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.True(end.IsCompleted && end.Buffer.IsEmpty);

        await _pipe.Input.CompleteAsync();
        await _pipe.Output.CompleteAsync();
        var answer = await _client.ReceiveAsync(new byte[16], CancellationToken.None).WaitAsync(Timeout);
        await running.WaitAsync(Timeout);

        Assert.Equal((WebSocketMessageType.Close, WebSocketCloseStatus.NormalClosure), (answer.MessageType, _client.CloseStatus));
    }
}
