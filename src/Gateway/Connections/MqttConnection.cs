using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Text;
using Broker.Gateway.Options;
using Broker.Gateway.Routing;
using Broker.Grains;
using Broker.Grains.Configuration;
using Broker.Protocol;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Connections;

/// <summary>
/// One MQTT 3.1.1 session over a duplex pipe, whatever the transport. A read loop parses packets and acts on
/// them in order; a write loop drains the outbound channel into the pipe with one flush per batch of packets.
/// The connection ends cleanly only after DISCONNECT; every other end (keep-alive timeout, network error,
/// protocol error, takeover) is unclean and makes the instance publish the will.
/// </summary>
internal sealed partial class MqttConnection
{
    private readonly ConnectionServices _services;
    private readonly ILogger _logger;
    private readonly IDuplexPipe _transport;
    private readonly ConnectionWriter _writer;
    private readonly Dictionary<string, SubscriptionRequest> _subscriptions = new(StringComparer.Ordinal);
    private long _lastPacketTicks = Environment.TickCount64;
    private long _idleTimeoutMs;
    private string? _endReason;
    private bool _aborted;
    private HashSet<ushort>? _incomingExactlyOnce;
    private Task _publishesAccepted = Task.CompletedTask;
    private InstanceRouter? _router;
    private ConnectionAddress _address;
    private PublishedMessage? _will;
    private bool _readOnly;
    private string? _tokenId;
    private (string Instance, string? Secret)? _credentials;

    public MqttConnection(ConnectionServices services, IDuplexPipe transport, string remoteEndPoint)
    {
        _services = services;
        _logger = services.Logger;
        _transport = transport;
        RemoteEndPoint = remoteEndPoint;
        Id = services.Registry.NextId();
        var options = services.Options;
        _writer = new ConnectionWriter(options.MaxInflightMessages, options.MaxQueuedMessages, options.MaxQueuedBytes, services.Metrics);
        _idleTimeoutMs = (long)services.Options.ConnectTimeout.TotalMilliseconds;
    }

    public long Id { get; }

    public string RemoteEndPoint { get; }

    public string? ClientId { get; private set; }

    public InstanceRouter? Router => _router;

    public async Task RunAsync(CancellationToken connectionClosed)
    {
        _services.Registry.Add(this);
        _services.Metrics.Connections.Add(1);
        // The read loop sees the end of the input only after every packet received before it, so a client that
        // sends DISCONNECT and closes at once still ends cleanly; a closed network only stops the writing.
        using var closed = connectionClosed.Register(_transport.Output.CancelPendingFlush);
        var writing = WriteLoopAsync();
        var clean = false;
        try
        {
            clean = await ReadLoopAsync();
        }
        catch (MalformedPacketException exception)
        {
            SetEndReason($"malformed packet: {exception.Message}");
            await ReportAsync(exception.Topic is null ? ErrorCodes.MalformedPacket : ErrorCodes.InvalidTopic, exception.Topic);
        }
        catch (ProtocolViolationException exception)
        {
            SetEndReason($"protocol violation: {exception.Message}");
            await ReportAsync(exception.Code, exception.Topic);
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException)
        {
            SetEndReason($"network error: {exception.Message}");
        }
        finally
        {
            _services.Registry.Remove(this);
            _services.Metrics.Connections.Add(-1);
            await LeaveInstanceAsync(clean);
            _writer.Finish();
            await writing;

            // Completing the output lets the transport close the socket, dropping what the client sent and the
            // read loop has not read yet; so it happens only once the read loop is done, never when writing ends.
            await _transport.Output.CompleteAsync();
            LogClosed(RemoteEndPoint, ClientId, _endReason ?? "closed by the client");
        }
    }

    /// <summary>Ends the connection from outside (takeover, keep-alive, slow consumer); the end is unclean.</summary>
    public void Abort(string reason)
    {
        SetEndReason(reason);
        Volatile.Write(ref _aborted, true);

        // Cancelling the pending read and flush (rather than a token per connection) keeps idle connections small.
        _transport.Input.CancelPendingRead();
        _transport.Output.CancelPendingFlush();
    }

    /// <summary>Whether the connection has been silent longer than its keep-alive allows (or than CONNECT may take).</summary>
    public bool IsIdleAt(long nowTicks)
    {
        var timeout = Volatile.Read(ref _idleTimeoutMs);
        return timeout > 0 && nowTicks - Volatile.Read(ref _lastPacketTicks) > timeout;
    }

    /// <summary>Queues a message from the instance for this client, at the QoS it was granted.</summary>
    public void Deliver(PublishedMessage message, byte qos, bool retain, bool rootSlash)
    {
        if (!_writer.Deliver(message, qos, retain, rootSlash))
        {
            AbortSlowConsumer();
        }
    }

    /// <summary>Called when the instance accepted the client's QoS 1 or 2 message.</summary>
    public void Acknowledge(ushort packetId, bool exactlyOnce) =>
        Send(exactlyOnce ? new PubRecPacket(packetId) : new PubAckPacket(packetId));

    /// <summary>What the instance must know again about this connection after it lost its soft state.</summary>
    public ConnectionSnapshot Snapshot()
    {
        lock (_subscriptions)
        {
            return new ConnectionSnapshot(Id, ClientId!, _will, [.. _subscriptions.Values], _readOnly, _tokenId);
        }
    }

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

                while (PacketReader.TryRead(ref buffer, maxPacketSize, out var packet))
                {
                    Volatile.Write(ref _lastPacketTicks, Environment.TickCount64);
                    if (!await HandleAsync(packet))
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

    /// <summary>Acts on one packet; false ends the connection.</summary>
    private ValueTask<bool> HandleAsync(MqttPacket packet)
    {
        if (packet is ConnectPacket connect)
        {
            return _router is null && ClientId is null
                ? ConnectAsync(connect)
                : throw new ProtocolViolationException("a second CONNECT");
        }

        if (_router is null)
        {
            throw new ProtocolViolationException($"{packet.Type} before CONNECT");
        }

        switch (packet)
        {
            case PublishPacket publish:
                return PublishAsync(publish);
            case PubAckPacket pubAck:
                _writer.Complete(pubAck.PacketId, QualityOfService.AtLeastOnce);
                return ValueTask.FromResult(true);
            case PubRecPacket pubRec:
                // The message is now owned by the client; only its PUBREL/PUBCOMP exchange remains.
                Send(new PubRelPacket(pubRec.PacketId));
                return ValueTask.FromResult(true);
            case PubRelPacket pubRel:
                _incomingExactlyOnce?.Remove(pubRel.PacketId);
                Send(new PubCompPacket(pubRel.PacketId));
                return ValueTask.FromResult(true);
            case PubCompPacket pubComp:
                _writer.Complete(pubComp.PacketId, QualityOfService.ExactlyOnce);
                return ValueTask.FromResult(true);
            case SubscribePacket subscribe:
                return SubscribeAsync(subscribe);
            case UnsubscribePacket unsubscribe:
                return UnsubscribeAsync(unsubscribe);
            case PingReqPacket:
                Send(PingRespPacket.Instance);
                return ValueTask.FromResult(true);
            case DisconnectPacket:
                SetEndReason("DISCONNECT");
                return ValueTask.FromResult(false);
            default:
                throw new ProtocolViolationException($"{packet.Type} is sent by servers only");
        }
    }

    private async ValueTask<bool> ConnectAsync(ConnectPacket connect)
    {
        if (!connect.IsSupportedProtocolVersion)
        {
            return Refuse(ConnectReturnCode.UnacceptableProtocolVersion, $"unsupported protocol {connect.ProtocolName} level {connect.ProtocolLevel}");
        }

        var (instance, secret) = Credentials(connect);
        _credentials = instance is null ? null : (instance, secret);
        var clientId = connect.ClientId;
        var limits = _services.Options.Limits;
        if (clientId.Length > limits.MaxClientIdLength)
        {
            await ReportAsync(ErrorCodes.ClientIdTooLong, topic: null);
            return Refuse(ConnectReturnCode.IdentifierRejected, $"client id longer than {limits.MaxClientIdLength} characters");
        }

        if (instance is null)
        {
            return Refuse(ConnectReturnCode.NotAuthorized, "no user name (instance)");
        }

        if (clientId.Length == 0)
        {
            if (!connect.CleanSession)
            {
                return Refuse(ConnectReturnCode.IdentifierRejected, "empty client id without clean session");
            }

            clientId = $"auto-{Guid.NewGuid():N}";
        }

        ClientId = clientId;

        PublishedMessage? will = null;
        if (connect.Will is { } connectWill)
        {
            if (!_services.TopicRules.TryNormalizeTopic(connectWill.Topic, out var willTopic, out var refusal))
            {
                throw new ProtocolViolationException($"will topic '{connectWill.Topic}': {refusal}", ErrorCodes.InvalidTopic, connectWill.Topic);
            }

            if (connectWill.Payload.Length > limits.MaxPayloadSize)
            {
                throw new ProtocolViolationException(
                    $"will payload of {connectWill.Payload.Length} bytes is larger than {limits.MaxPayloadSize}", ErrorCodes.PayloadTooLarge, connectWill.Topic);
            }

            will = new PublishedMessage(willTopic, connectWill.Payload, (byte)connectWill.Qos, connectWill.Retain, Id);
        }

        var address = new ConnectionAddress(_services.Identity.Id, Id);
        var result = await _services.Routers.Grain(instance).Connect(new ConnectRequest(address, clientId, secret, will));
        if (!result.Accepted)
        {
            return Refuse(ConnectReturnCode.NotAuthorized, $"bad credentials for instance '{instance}'");
        }

        var router = _services.Routers.Get(instance);
        router.Registered(result.Epoch, result.GatewayKnown);
        _address = address;

        // The instance ignores a read-only client's will; a restore after re-activation must not bring it back.
        _will = result.ReadOnly ? null : will;
        _readOnly = result.ReadOnly;
        _tokenId = result.TokenId;
        _router = router;
        Volatile.Write(ref _idleTimeoutMs, (long)(KeepAlive(connect.KeepAliveSeconds, limits).TotalMilliseconds * 1.5));
        Send(new ConnAckPacket(SessionPresent: false, ConnectReturnCode.Accepted));
        LogConnected(RemoteEndPoint, clientId, instance, connect.KeepAliveSeconds);
        return true;
    }

    /// <summary>
    /// The instance a CONNECT asks for (its user name; in development mode, none means <c>local</c>; otherwise null)
    /// and the token secret (its password).
    /// </summary>
    private (string? Instance, string? Secret) Credentials(ConnectPacket connect)
    {
        if (connect.UserName is { } userName)
        {
            return (userName, connect.Password is { } password ? Encoding.UTF8.GetString(password) : null);
        }

        return (_services.Options.Mode == BrokerMode.Development ? DevelopmentInstances.Local : null, null);
    }

    /// <summary>The keep-alive the broker enforces: 0 (none) and longer ones become the maximum, shorter ones the minimum.</summary>
    private static TimeSpan KeepAlive(ushort requestedSeconds, LimitOptions limits)
    {
        var requested = TimeSpan.FromSeconds(requestedSeconds);
        return requested == TimeSpan.Zero || requested > limits.MaxKeepAlive ? limits.MaxKeepAlive
            : requested < limits.MinKeepAlive ? limits.MinKeepAlive
            : requested;
    }

    private bool Refuse(ConnectReturnCode code, string reason)
    {
        Send(new ConnAckPacket(SessionPresent: false, code));
        SetEndReason($"CONNECT refused ({code}): {reason}");
        return false;
    }

    private async ValueTask<bool> PublishAsync(PublishPacket publish)
    {
        _services.Metrics.MessagesIn.Add(1);
        var exactlyOnce = publish.Qos == QualityOfService.ExactlyOnce;
        if (exactlyOnce && !(_incomingExactlyOnce ??= []).Add(publish.PacketId))
        {
            // A re-sent QoS 2 PUBLISH whose first copy was already forwarded: acknowledge, never deliver twice.
            Send(new PubRecPacket(publish.PacketId));
            return true;
        }

        PendingAck? ack = publish.Qos == QualityOfService.AtMostOnce ? null : new PendingAck(this, publish.PacketId, exactlyOnce);
        if (_readOnly)
        {
            if (ack is { } readOnlyAck)
            {
                Acknowledge(readOnlyAck.PacketId, readOnlyAck.ExactlyOnce);
            }

            await ReportAsync(ErrorCodes.ReadOnly, publish.Topic);
            return true;
        }

        var limits = _services.Options.Limits;
        if (publish.Payload.Length > limits.MaxPayloadSize)
        {
            throw new ProtocolViolationException(
                $"payload of {publish.Payload.Length} bytes on '{publish.Topic}' is larger than {limits.MaxPayloadSize}", ErrorCodes.PayloadTooLarge, publish.Topic);
        }

        if (!_services.TopicRules.TryNormalizeTopic(publish.Topic, out var topic, out var refusal))
        {
            throw new ProtocolViolationException($"topic '{publish.Topic}': {refusal}", ErrorCodes.InvalidTopic, publish.Topic);
        }

        var message = new PublishedMessage(topic, PayloadArray(publish.Payload), (byte)publish.Qos, publish.Retain, Id);
        _publishesAccepted = await _router!.EnqueueAsync(message, ack);
        return true;
    }

    private async ValueTask<bool> SubscribeAsync(SubscribePacket subscribe)
    {
        var maxSubscriptions = _services.Options.Limits.MaxSubscriptions;
        var returnCodes = new SubscribeReturnCode[subscribe.Subscriptions.Count];
        var requests = ImmutableArray.CreateBuilder<SubscriptionRequest>(returnCodes.Length);
        var added = 0;
        for (var i = 0; i < returnCodes.Length; i++)
        {
            var subscription = subscribe.Subscriptions[i];
            returnCodes[i] = SubscribeReturnCode.Failure;
            if (!_services.TopicRules.TryNormalizeFilter(subscription.Filter, out var filter, out var rootSlash, out var refusal))
            {
                LogFilterRejected(ClientId, subscription.Filter, refusal);
                await ReportAsync(ErrorCodes.InvalidTopic, subscription.Filter);
                continue;
            }

            // Only this loop changes the subscriptions, so reading them here needs no lock. A filter subscribed
            // again replaces its subscription and does not count twice.
            var isNew = !_subscriptions.ContainsKey(filter) && !requests.Any(request => request.Filter == filter);
            if (isNew && _subscriptions.Count + added >= maxSubscriptions)
            {
                LogTooManySubscriptions(ClientId, subscription.Filter, maxSubscriptions);
                await ReportAsync(ErrorCodes.TooManySubscriptions, subscription.Filter);
                continue;
            }

            added += isNew ? 1 : 0;
            returnCodes[i] = (SubscribeReturnCode)subscription.Qos;
            requests.Add(new SubscriptionRequest(filter, (byte)subscription.Qos, rootSlash));
        }

        var retained = ImmutableArray<RetainedDelivery>.Empty;
        if (requests.Count > 0)
        {
            // The client's earlier publishes reach the instance first: a retained message it just sent is found.
            await _publishesAccepted;
            _writer.HoldDeliveries();
            retained = await _router!.Grain.Subscribe(_address, requests.ToImmutable());
            lock (_subscriptions)
            {
                foreach (var request in requests)
                {
                    _subscriptions[request.Filter] = request;
                }
            }
        }

        Send(new SubAckPacket(subscribe.PacketId, returnCodes));
        foreach (var delivery in retained)
        {
            Deliver(delivery.Message, delivery.Qos, retain: true, delivery.RootSlash);
        }

        if (!_writer.ReleaseDeliveries())
        {
            AbortSlowConsumer();
        }

        return true;
    }

    private async ValueTask<bool> UnsubscribeAsync(UnsubscribePacket unsubscribe)
    {
        var filters = ImmutableArray.CreateBuilder<string>(unsubscribe.Filters.Count);
        foreach (var filter in unsubscribe.Filters)
        {
            // A filter the rules refuse was never subscribed: there is nothing to remove.
            if (_services.TopicRules.TryNormalizeFilter(filter, out var normalized, out _, out _))
            {
                filters.Add(normalized);
            }
        }

        // The client's earlier publishes reach the instance first: its own message sent before UNSUBSCRIBE is delivered.
        await _publishesAccepted;
        await _router!.Grain.Unsubscribe(_address, filters.ToImmutable());
        lock (_subscriptions)
        {
            foreach (var filter in filters)
            {
                _subscriptions.Remove(filter);
            }
        }

        Send(new UnsubAckPacket(unsubscribe.PacketId));
        return true;
    }

    private async Task LeaveInstanceAsync(bool clean)
    {
        if (_router is null)
        {
            return;
        }

        _router.Left();
        try
        {
            // Everything the client published reaches the instance before its will.
            await _publishesAccepted;
            await _router.Grain.Disconnect(_address, clean);
        }
        catch (Exception exception)
        {
            // The instance drops the connection when this gateway's lease ends, and publishes the will then.
            LogLeaveFailed(exception, ClientId);
        }
    }

    /// <summary>
    /// Shows a rule this client broke as an <c>errored</c> event of its instance: with its connection once it joined;
    /// before that (a refused CONNECT) without one, and only when its credentials would have let it in, so that
    /// strangers cannot write into an instance's events. Before a CONNECT there is no instance to tell.
    /// </summary>
    private async Task ReportAsync(string code, string? topic)
    {
        try
        {
            if (_router is not null)
            {
                await _router.Grain.ReportError(new ErrorReport(_address, code, topic));
            }
            else if (_credentials is { } credentials)
            {
                var grain = _services.Routers.Grain(credentials.Instance);
                if (await grain.Authenticate(credentials.Secret) != TokenAccess.Denied)
                {
                    await grain.ReportError(new ErrorReport(null, code, topic));
                }
            }
        }
        catch (Exception exception)
        {
            LogReportFailed(exception, ClientId, code);
        }
    }

    private void Send(MqttPacket packet) => _writer.Send(packet);

    private void AbortSlowConsumer() => Abort("slow consumer: too many QoS 1 and 2 messages waiting for acknowledgement");

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

    private void SetEndReason(string reason) => Interlocked.CompareExchange(ref _endReason, reason, null);

    /// <summary>The payload as an array without copying: a parsed PUBLISH already owns a fresh array.</summary>
    private static byte[] PayloadArray(ReadOnlyMemory<byte> payload) =>
        MemoryMarshal.TryGetArray(payload, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : payload.ToArray();

    [LoggerMessage(Level = LogLevel.Debug, Message = "{RemoteEndPoint}: client {ClientId} connected to instance {Instance} (keep-alive {KeepAlive} s)")]
    private partial void LogConnected(string remoteEndPoint, string clientId, string instance, int keepAlive);

    [LoggerMessage(Level = LogLevel.Information, Message = "{RemoteEndPoint}: connection of client {ClientId} closed: {Reason}")]
    private partial void LogClosed(string remoteEndPoint, string? clientId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId}: topic filter '{Filter}' refused: {Reason}")]
    private partial void LogFilterRejected(string? clientId, string filter, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId}: topic filter '{Filter}' refused: more than {Max} subscriptions")]
    private partial void LogTooManySubscriptions(string? clientId, string filter, int max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client {ClientId}: reporting the error {Code} to the instance failed")]
    private partial void LogReportFailed(Exception exception, string? clientId, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client {ClientId}: telling the instance about the disconnect failed")]
    private partial void LogLeaveFailed(Exception exception, string? clientId);
}
