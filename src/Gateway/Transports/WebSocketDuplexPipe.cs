using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Transports;

/// <summary>
/// A WebSocket seen as a byte stream in both directions, so that MQTT over WebSocket runs on the same connection
/// code as TCP. WebSocket messages and frames carry no meaning for MQTT: a packet may span frames and a frame may
/// hold several packets. Only binary frames are accepted; a text frame closes the WebSocket (status 1003).
/// Memory is bounded: reading the socket stops while the input holds more than one largest packet unread, the
/// writer waits while the socket has not taken the output yet, and an idle WebSocket holds no buffer at all.
/// Closing either side closes the other: the end of the WebSocket completes the input, and the completed output
/// sends the Close frame.
/// </summary>
internal sealed partial class WebSocketDuplexPipe : IDuplexPipe
{
    private const int OutputPauseBytes = 64 * 1024;

    /// <summary>How long the client has to answer our Close frame before the socket is dropped.</summary>
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    private readonly WebSocket _socket;
    private readonly string _remoteEndPoint;
    private readonly ILogger _logger;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string? _closeReason;

    /// <param name="pool">Where both pipes take their buffers; the shared pool unless given.</param>
    public WebSocketDuplexPipe(WebSocket socket, int maxPacketSize, string remoteEndPoint, ILogger logger, MemoryPool<byte>? pool = null)
    {
        _socket = socket;
        _remoteEndPoint = remoteEndPoint;
        _logger = logger;

        // The reader keeps a partly received packet unconsumed, so the input must hold one largest packet and more.
        var inputPause = maxPacketSize + (64 * 1024);
        _input = new Pipe(new PipeOptions(pool, pauseWriterThreshold: inputPause, resumeWriterThreshold: inputPause / 2, useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(pool, pauseWriterThreshold: OutputPauseBytes, resumeWriterThreshold: OutputPauseBytes / 2, useSynchronizationContext: false));
    }

    /// <summary>Bytes received from the client.</summary>
    public PipeReader Input => _input.Reader;

    /// <summary>Bytes for the client: each flush goes out as one binary message.</summary>
    public PipeWriter Output => _output.Writer;

    /// <summary>Moves bytes both ways until the output is completed (or the socket fails), then closes the WebSocket.</summary>
    public async Task RunAsync()
    {
        var receiving = ReceiveLoopAsync();
        await SendLoopAsync();
        await CloseAsync(receiving);
    }

    private async Task ReceiveLoopAsync()
    {
        var writer = _input.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                // Waiting with an empty buffer learns the next frame's type without holding memory, so an idle client
                // costs no receive buffer: one is taken from the input only once a binary frame has payload to read.
                var frame = await _socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                if (frame.MessageType == WebSocketMessageType.Binary && !frame.EndOfMessage)
                {
                    frame = await _socket.ReceiveAsync(writer.GetMemory(), CancellationToken.None);
                    writer.Advance(frame.Count);
                    var flush = await writer.FlushAsync();
                    if (flush.IsCompleted || flush.IsCanceled)
                    {
                        break;
                    }
                }

                if (frame.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (frame.MessageType != WebSocketMessageType.Binary)
                {
                    const string reason = "a text frame: MQTT over WebSocket takes binary frames only";
                    (_closeStatus, _closeReason) = (WebSocketCloseStatus.InvalidMessageType, "MQTT takes binary frames only");
                    LogRefused(_remoteEndPoint, reason);
                    error = new IOException(reason);
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            error = new IOException($"WebSocket: {exception.Message}", exception);
        }

        await writer.CompleteAsync(error);
    }

    private async Task SendLoopAsync()
    {
        var reader = _output.Reader;
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                await SendAsync(buffer);
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            error = new IOException($"WebSocket: {exception.Message}", exception);
        }

        // The writer sees the failure on its next flush and ends the connection.
        await reader.CompleteAsync(error);
    }

    /// <summary>One flush's bytes as one binary message: a frame per buffer segment, the last one ending the message.</summary>
    private async ValueTask SendAsync(ReadOnlySequence<byte> buffer)
    {
        ReadOnlyMemory<byte> pending = default;
        foreach (var segment in buffer)
        {
            if (segment.IsEmpty)
            {
                continue;
            }

            if (!pending.IsEmpty)
            {
                await _socket.SendAsync(pending, WebSocketMessageType.Binary, endOfMessage: false, CancellationToken.None);
            }

            pending = segment;
        }

        if (!pending.IsEmpty)
        {
            await _socket.SendAsync(pending, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        }
    }

    private async Task CloseAsync(Task receiving)
    {
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(_closeStatus, _closeReason, CancellationToken.None);
            }

            // Let the client answer the Close frame, but do not wait on it for ever.
            await receiving.WaitAsync(CloseHandshakeTimeout);
        }
        catch (Exception exception) when (exception is WebSocketException or TimeoutException or ObjectDisposedException)
        {
            _socket.Abort();
        }

        await receiving;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{RemoteEndPoint}: WebSocket closed: {Reason}")]
    private partial void LogRefused(string remoteEndPoint, string reason);
}
