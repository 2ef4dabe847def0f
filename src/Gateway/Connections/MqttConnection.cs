using System.IO.Pipelines;
using Broker.Gateway.Routing;
using Broker.Gateway.Telemetry;
using Broker.Grains;
using Broker.Protocol;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Connections;

/// <summary>
/// One MQTT connection over a duplex pipe, whatever the transport: its loops and its lifecycle. A read loop parses
/// packets and hands them in order to the connection's <see cref="MqttSession"/>; a write loop drains the outbound
/// queue into the pipe with one flush per batch of packets. The connection ends cleanly only after DISCONNECT; every
/// other end (keep-alive timeout, network error, protocol error, takeover) is unclean and makes the instance publish
/// the will.
/// </summary>
internal sealed partial class MqttConnection : IConnectionSink
{
    private readonly ConnectionServices _services;
    private readonly ILogger _logger;
    private readonly IDuplexPipe _transport;
    private readonly ConnectionWriter _writer;
    private readonly MqttSession _session;
    private long _lastPacketTimestamp;
    private long _idleTimeoutTicks;
    private string? _endReason;
    private bool _endNoteworthy;
    private bool _aborted;
    private readonly KeyValuePair<string, object?> _transportTag;

    /// <param name="transportName">What the connection came over, for the metrics: tcp, tls, websocket or websocket_tls.</param>
    public MqttConnection(ConnectionServices services, IDuplexPipe transport, string remoteEndPoint, string transportName)
    {
        _transportTag = BrokerMetrics.Transport(transportName);
        _services = services;
        _logger = services.Logger;
        _transport = transport;
        RemoteEndPoint = remoteEndPoint;
        Id = services.Registry.NextId();
        var options = services.Options;
        _writer = new ConnectionWriter(options.MaxInflightMessages, options.MaxQueuedMessages, options.MaxQueuedBytes, services.Metrics);
        _session = new MqttSession(this, services, _writer);
        _lastPacketTimestamp = services.Time.GetTimestamp();
        _idleTimeoutTicks = options.ConnectTimeout.Ticks;
    }

    public long Id { get; }

    /// <summary>What waits to reach the client: messages unacknowledged or waiting for the window, and bytes not written yet.</summary>
    public (int Messages, long Bytes) Backlog => (_writer.BackloggedMessages, _writer.BackloggedBytes);

    public string RemoteEndPoint { get; }

    public string? ClientId => _session.ClientId;

    public async Task RunAsync(CancellationToken connectionClosed)
    {
        _services.Registry.Add(this);
        _services.Metrics.Connections.Add(1, _transportTag);
        // The read loop sees the end of the input only after every packet received before it, so a client that
        // sends DISCONNECT and closes at once still ends cleanly; a closed network only stops the writing.
        var closed = connectionClosed.Register(_transport.Output.CancelPendingFlush);
        var writing = WriteLoopAsync();
        var clean = false;
        try
        {
            clean = await ReadLoopAsync();
        }
        catch (MalformedPacketException exception)
        {
            SetEndReason($"malformed packet: {exception.Message}", noteworthy: true);
            await _session.ReportAsync(exception.Topic is null ? ErrorCodes.MalformedPacket : ErrorCodes.InvalidTopic, exception.Topic);
        }
        catch (ProtocolViolationException exception)
        {
            SetEndReason($"protocol violation: {exception.Message}", noteworthy: true);
            await _session.ReportAsync(exception.Code, exception.Topic);
        }
        catch (InstanceUnavailableException exception)
        {
            SetEndReason(exception.Message, noteworthy: true);
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException)
        {
            SetEndReason($"network error: {exception.Message}");
        }
        catch (Exception exception)
        {
            LogFailed(exception, RemoteEndPoint, ClientId);
            SetEndReason($"internal error: {exception.Message}", noteworthy: true);
        }
        finally
        {
            _services.Registry.Remove(this);
            _services.Metrics.Connections.Add(-1, _transportTag);
            await _session.LeaveAsync(clean);
            _writer.Finish();
            await writing;

            // A network close after this point must not reach an output that is completing: disposing waits for a
            // callback already running.
            await closed.DisposeAsync();

            // Completing the output lets the transport close the socket, dropping what the client sent and the
            // read loop has not read yet; so it happens only once the read loop is done, never when writing ends.
            await _transport.Output.CompleteAsync();
            var reason = _endReason ?? "closed by the client";
            if (Volatile.Read(ref _endNoteworthy))
            {
                LogClosedFor(RemoteEndPoint, ClientId, reason);
            }
            else
            {
                LogClosed(RemoteEndPoint, ClientId, reason);
            }
        }
    }

    /// <summary>Ends the connection from outside (takeover, keep-alive, slow consumer); the end is unclean.</summary>
    public void Abort(string reason) => Abort(reason, noteworthy: false);

    private void Abort(string reason, bool noteworthy)
    {
        SetEndReason(reason, noteworthy);
        Volatile.Write(ref _aborted, true);

        // Cancelling the pending read and flush (rather than a token per connection) keeps idle connections small.
        _transport.Input.CancelPendingRead();
        _transport.Output.CancelPendingFlush();
    }

    /// <summary>Whether, at the <see cref="TimeProvider.GetTimestamp"/> <paramref name="now"/>, the connection has been silent longer than its keep-alive allows (or than CONNECT may take).</summary>
    public bool IsIdleAt(long now)
    {
        var timeout = Volatile.Read(ref _idleTimeoutTicks);
        return timeout > 0 && _services.Time.GetElapsedTime(Volatile.Read(ref _lastPacketTimestamp), now).Ticks > timeout;
    }

    public void Deliver(PublishedMessage message, byte qos, bool retain, bool rootSlash)
    {
        if (!_writer.Deliver(message, qos, retain, rootSlash))
        {
            AbortSlowConsumer();
        }
    }

    public void Acknowledge(ushort packetId, bool exactlyOnce) =>
        _writer.Queue(exactlyOnce ? new PubRecPacket(packetId) : new PubAckPacket(packetId));

    public void Flush() => _writer.Flush();

    public ConnectionSnapshot Snapshot() => _session.Snapshot();

    /// <summary>How long the connection may stay silent from now on (the session's keep-alive, once it is agreed).</summary>
    public void SetIdleTimeout(TimeSpan timeout) => Volatile.Write(ref _idleTimeoutTicks, timeout.Ticks);

    /// <summary>
    /// Says why the connection ends; the first reason given is the one logged. Ordinary ends are logged at Debug, and
    /// <paramref name="noteworthy"/> ones (the client broke a rule, was refused or fell behind) at Information.
    /// </summary>
    public void SetEndReason(string reason, bool noteworthy = false)
    {
        if (Interlocked.CompareExchange(ref _endReason, reason, null) is null && noteworthy)
        {
            Volatile.Write(ref _endNoteworthy, true);
        }
    }

    public void AbortSlowConsumer() => Abort("slow consumer: too many QoS 1 and 2 messages waiting for acknowledgement", noteworthy: true);

    private async Task<bool> ReadLoopAsync()
    {
        var input = _transport.Input;
        var maxPacketSize = _services.Options.MaxPacketSize;
        while (true)
        {
            var result = await input.ReadAsync();
            var buffer = result.Buffer;
            try
            {
                // Abort sets the flag before cancelling the read; a read cancelled by anything else goes on.
                if (Volatile.Read(ref _aborted))
                {
                    return false;
                }

                // The session's protocol level changes with CONNECT, which is handled before the next packet is read.
                while (PacketReader.TryRead(ref buffer, maxPacketSize, _session.ProtocolLevel, out var packet))
                {
                    Volatile.Write(ref _lastPacketTimestamp, _services.Time.GetTimestamp());
                    if (!await _session.HandleAsync(packet))
                    {
                        return packet is DisconnectPacket;
                    }
                }

                if (result.IsCompleted)
                {
                    SetEndReason(buffer.IsEmpty ? "the client closed the network connection" : "the client closed the connection inside a packet");
                    return false;
                }
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await _writer.RunAsync(_transport.Output);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException)
        {
            Abort($"network error while writing: {exception.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{RemoteEndPoint}: connection of client {ClientId} closed: {Reason}")]
    private partial void LogClosed(string remoteEndPoint, string? clientId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{RemoteEndPoint}: connection of client {ClientId} closed: {Reason}")]
    private partial void LogClosedFor(string remoteEndPoint, string? clientId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{RemoteEndPoint}: connection of client {ClientId} failed")]
    private partial void LogFailed(Exception exception, string remoteEndPoint, string? clientId);
}
