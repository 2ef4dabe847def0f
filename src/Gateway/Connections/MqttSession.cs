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
/// What MQTT says about one client, as opposed to the socket that carries it: the handshake, the instance the client
/// joined, its subscriptions and their limit, the ids of its QoS 2 messages not yet released, and its will. It acts
/// on the packets its connection reads, one at a time and in order. Persistent sessions will keep this state beyond
/// one connection.
/// </summary>
internal sealed partial class MqttSession(MqttConnection connection, ConnectionServices services, ConnectionWriter writer)
{
    /// <summary>MQTT 3.1 allows client ids of 1 to 23 characters.</summary>
    private const int Mqtt31MaxClientIdLength = 23;

    private readonly ILogger _logger = services.Logger;
    private readonly LimitOptions _limits = services.Options.Limits;
    private readonly Dictionary<string, SubscriptionRequest> _subscriptions = new(StringComparer.Ordinal);
    private HashSet<ushort>? _incomingExactlyOnce;
    private IInstanceSession? _instance;
    private PublishedMessage? _will;
    private (string Instance, string? Secret)? _credentials;

    /// <summary>The client id, once a CONNECT gave one (or one was generated for it).</summary>
    public string? ClientId { get; private set; }

    /// <summary>The protocol level the client's CONNECT asked for; 3.1.1's until then.</summary>
    public byte ProtocolLevel { get; private set; } = ConnectPacket.Mqtt311ProtocolLevel;

    /// <summary>Acts on one packet; false ends the connection.</summary>
    public ValueTask<bool> HandleAsync(MqttPacket packet)
    {
        if (packet is ConnectPacket connect)
        {
            return _instance is null && ClientId is null
                ? ConnectAsync(connect)
                : throw new ProtocolViolationException("a second CONNECT");
        }

        if (_instance is null)
        {
            throw new ProtocolViolationException($"{packet.Type} before CONNECT");
        }

        switch (packet)
        {
            case PublishPacket publish:
                return PublishAsync(_instance, publish);
            case PubAckPacket pubAck:
                writer.Complete(pubAck.PacketId, QualityOfService.AtLeastOnce);
                return ValueTask.FromResult(true);
            case PubRecPacket pubRec:
                // The message is now owned by the client; only its PUBREL/PUBCOMP exchange remains.
                writer.Send(new PubRelPacket(pubRec.PacketId));
                return ValueTask.FromResult(true);
            case PubRelPacket pubRel:
                _incomingExactlyOnce?.Remove(pubRel.PacketId);
                writer.Send(new PubCompPacket(pubRel.PacketId));
                return ValueTask.FromResult(true);
            case PubCompPacket pubComp:
                writer.Complete(pubComp.PacketId, QualityOfService.ExactlyOnce);
                return ValueTask.FromResult(true);
            case SubscribePacket subscribe:
                return SubscribeAsync(_instance, subscribe);
            case UnsubscribePacket unsubscribe:
                return UnsubscribeAsync(_instance, unsubscribe);
            case PingReqPacket:
                writer.Send(PingRespPacket.Instance);
                return ValueTask.FromResult(true);
            case DisconnectPacket:
                connection.SetEndReason("DISCONNECT");
                return ValueTask.FromResult(false);
            default:
                throw new ProtocolViolationException($"{packet.Type} is sent by servers only");
        }
    }

    /// <summary>
    /// Shows a rule this client broke as an <c>errored</c> event of its instance: with its connection once it joined,
    /// before that (a refused CONNECT) without one. Before a CONNECT there is no instance to tell.
    /// </summary>
    public Task ReportAsync(string code, string? topic) =>
        _instance is not null ? _instance.ReportAsync(code, topic)
        : _credentials is { } credentials ? services.Instances.ReportRefusedAsync(credentials.Instance, credentials.Secret, code, topic)
        : Task.CompletedTask;

    /// <summary>Leaves the instance, if the client joined one; an unclean end publishes the will.</summary>
    public Task LeaveAsync(bool clean) => _instance?.LeaveAsync(clean) ?? Task.CompletedTask;

    /// <summary>What the instance must know again about this client after it lost its soft state.</summary>
    public ConnectionSnapshot Snapshot()
    {
        lock (_subscriptions)
        {
            return new ConnectionSnapshot(connection.Id, ClientId!, _will, [.. _subscriptions.Values], _instance!.ReadOnly, _instance.TokenId);
        }
    }

    private async ValueTask<bool> ConnectAsync(ConnectPacket connect)
    {
        if (!connect.IsSupportedProtocolVersion)
        {
            return Refuse(ConnectReturnCode.UnacceptableProtocolVersion, $"unsupported protocol {connect.ProtocolName} level {connect.ProtocolLevel}");
        }

        ProtocolLevel = connect.ProtocolLevel;
        var (instance, secret) = Credentials(connect);
        _credentials = instance is null ? null : (instance, secret);
        var clientId = connect.ClientId;
        if (clientId.Length > _limits.MaxClientIdLength)
        {
            await ReportAsync(ErrorCodes.ClientIdTooLong, topic: null);
            return Refuse(ConnectReturnCode.IdentifierRejected, $"client id longer than {_limits.MaxClientIdLength} characters");
        }

        if (connect.ProtocolLevel == ConnectPacket.Mqtt31ProtocolLevel && clientId.Length is 0 or > Mqtt31MaxClientIdLength)
        {
            return Refuse(ConnectReturnCode.IdentifierRejected, $"MQTT 3.1 client ids have 1 to {Mqtt31MaxClientIdLength} characters");
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
        var will = connect.Will is { } connectWill ? Will(connectWill) : null;
        IInstanceSession? joined;
        try
        {
            joined = await services.Instances.JoinAsync(connection, instance, clientId, secret, will);
        }
        catch (InstanceUnavailableException exception)
        {
            return Refuse(ConnectReturnCode.ServerUnavailable, exception.Message);
        }

        if (joined is null)
        {
            return Refuse(ConnectReturnCode.NotAuthorized, $"bad credentials for instance '{instance}'");
        }

        // The instance ignores a read-only client's will; a restore after re-activation must not bring it back.
        _will = joined.ReadOnly ? null : will;
        _instance = joined;
        connection.SetIdleTimeout(KeepAlive(connect.KeepAliveSeconds) * 1.5);
        writer.Send(new ConnAckPacket(SessionPresent: false, ConnectReturnCode.Accepted));
        LogConnected(connection.RemoteEndPoint, clientId, instance, connect.KeepAliveSeconds);
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

        return (services.Options.Mode == BrokerMode.Development ? DevelopmentInstances.Local : null, null);
    }

    private PublishedMessage Will(WillMessage will)
    {
        if (!services.TopicRules.TryNormalizeTopic(will.Topic, out var topic, out var refusal))
        {
            throw new ProtocolViolationException($"will topic '{will.Topic}': {refusal}", ErrorCodes.InvalidTopic, will.Topic);
        }

        if (will.Payload.Length > _limits.MaxPayloadSize)
        {
            throw new ProtocolViolationException(
                $"will payload of {will.Payload.Length} bytes is larger than {_limits.MaxPayloadSize}", ErrorCodes.PayloadTooLarge, will.Topic);
        }

        return new PublishedMessage(topic, will.Payload, (byte)will.Qos, will.Retain, connection.Id);
    }

    /// <summary>The keep-alive the broker enforces: 0 (none) and longer ones become the maximum, shorter ones the minimum.</summary>
    private TimeSpan KeepAlive(ushort requestedSeconds)
    {
        var requested = TimeSpan.FromSeconds(requestedSeconds);
        return requested == TimeSpan.Zero || requested > _limits.MaxKeepAlive ? _limits.MaxKeepAlive
            : requested < _limits.MinKeepAlive ? _limits.MinKeepAlive
            : requested;
    }

    private bool Refuse(ConnectReturnCode code, string reason)
    {
        writer.Send(new ConnAckPacket(SessionPresent: false, code));
        connection.SetEndReason($"CONNECT refused ({code}): {reason}", noteworthy: true);
        return false;
    }

    private async ValueTask<bool> PublishAsync(IInstanceSession instance, PublishPacket publish)
    {
        services.Metrics.MessagesIn.Add(1);
        services.Metrics.BytesIn.Add(publish.Payload.Length);
        if (publish.Qos == QualityOfService.ExactlyOnce && !(_incomingExactlyOnce ??= []).Add(publish.PacketId))
        {
            // A re-sent QoS 2 PUBLISH whose first copy was already forwarded: acknowledge, never deliver twice.
            writer.Send(new PubRecPacket(publish.PacketId));
            return true;
        }

        if (instance.ReadOnly)
        {
            if (publish.Qos != QualityOfService.AtMostOnce)
            {
                connection.Acknowledge(publish.PacketId, publish.Qos == QualityOfService.ExactlyOnce);
                connection.Flush();
            }

            await instance.ReportAsync(ErrorCodes.ReadOnly, publish.Topic);
            return true;
        }

        if (publish.Payload.Length > _limits.MaxPayloadSize)
        {
            throw new ProtocolViolationException(
                $"payload of {publish.Payload.Length} bytes on '{publish.Topic}' is larger than {_limits.MaxPayloadSize}", ErrorCodes.PayloadTooLarge, publish.Topic);
        }

        if (!services.TopicRules.TryNormalizeTopic(publish.Topic, out var topic, out var refusal))
        {
            throw new ProtocolViolationException($"topic '{publish.Topic}': {refusal}", ErrorCodes.InvalidTopic, publish.Topic);
        }

        await instance.PublishAsync(new PublishedMessage(topic, PayloadArray(publish.Payload), (byte)publish.Qos, publish.Retain, connection.Id), publish.PacketId);
        return true;
    }

    private async ValueTask<bool> SubscribeAsync(IInstanceSession instance, SubscribePacket subscribe)
    {
        var returnCodes = new SubscribeReturnCode[subscribe.Subscriptions.Count];
        var requests = ImmutableArray.CreateBuilder<SubscriptionRequest>(returnCodes.Length);
        var added = 0;
        for (var i = 0; i < returnCodes.Length; i++)
        {
            var subscription = subscribe.Subscriptions[i];
            returnCodes[i] = SubscribeReturnCode.Failure;
            if (!services.TopicRules.TryNormalizeFilter(subscription.Filter, out var filter, out var rootSlash, out var refusal))
            {
                LogFilterRejected(ClientId, subscription.Filter, refusal);
                await instance.ReportAsync(ErrorCodes.InvalidTopic, subscription.Filter);
                continue;
            }

            // Only this loop changes the subscriptions, so reading them here needs no lock. A filter subscribed
            // again replaces its subscription and does not count twice.
            var isNew = !_subscriptions.ContainsKey(filter) && !requests.Any(request => request.Filter == filter);
            if (isNew && _subscriptions.Count + added >= _limits.MaxSubscriptions)
            {
                LogTooManySubscriptions(ClientId, subscription.Filter, _limits.MaxSubscriptions);
                await instance.ReportAsync(ErrorCodes.TooManySubscriptions, subscription.Filter);
                continue;
            }

            added += isNew ? 1 : 0;
            returnCodes[i] = (SubscribeReturnCode)subscription.Qos;
            requests.Add(new SubscriptionRequest(filter, (byte)subscription.Qos, rootSlash));
        }

        var retained = ImmutableArray<RetainedDelivery>.Empty;
        if (requests.Count > 0)
        {
            // Live messages routed after the subscription wait behind the SUBACK and the retained messages.
            writer.HoldDeliveries();
            retained = await instance.SubscribeAsync(requests.ToImmutable());
            lock (_subscriptions)
            {
                foreach (var request in requests)
                {
                    _subscriptions[request.Filter] = request;
                }
            }
        }

        writer.Send(new SubAckPacket(subscribe.PacketId, returnCodes));
        foreach (var delivery in retained)
        {
            connection.Deliver(delivery.Message, delivery.Qos, retain: true, delivery.RootSlash);
        }

        if (!writer.ReleaseDeliveries())
        {
            connection.AbortSlowConsumer();
        }

        return true;
    }

    private async ValueTask<bool> UnsubscribeAsync(IInstanceSession instance, UnsubscribePacket unsubscribe)
    {
        var filters = ImmutableArray.CreateBuilder<string>(unsubscribe.Filters.Count);
        foreach (var filter in unsubscribe.Filters)
        {
            // A filter the rules refuse was never subscribed: there is nothing to remove.
            if (services.TopicRules.TryNormalizeFilter(filter, out var normalized, out _, out _))
            {
                filters.Add(normalized);
            }
        }

        await instance.UnsubscribeAsync(filters.ToImmutable());
        lock (_subscriptions)
        {
            foreach (var filter in filters)
            {
                _subscriptions.Remove(filter);
            }
        }

        writer.Send(new UnsubAckPacket(unsubscribe.PacketId));
        return true;
    }

    /// <summary>The payload as an array without copying: a parsed PUBLISH already owns a fresh array.</summary>
    private static byte[] PayloadArray(ReadOnlyMemory<byte> payload) =>
        MemoryMarshal.TryGetArray(payload, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : payload.ToArray();

    [LoggerMessage(Level = LogLevel.Debug, Message = "{RemoteEndPoint}: client {ClientId} connected to instance {Instance} (keep-alive {KeepAlive} s)")]
    private partial void LogConnected(string remoteEndPoint, string clientId, string instance, int keepAlive);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId}: topic filter '{Filter}' refused: {Reason}")]
    private partial void LogFilterRejected(string? clientId, string filter, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {ClientId}: topic filter '{Filter}' refused: more than {Max} subscriptions")]
    private partial void LogTooManySubscriptions(string? clientId, string filter, int max);
}
