using Broker.Grains;
using Broker.Protocol;

namespace Broker.Gateway.Connections;

/// <summary>
/// Messages on their way to one client: packet ids (a connection's first is 1), the in-flight window of
/// unacknowledged QoS 1 and 2 messages, and the bounded queue of messages waiting for the window. A QoS 0 message
/// needs no window, but waits behind queued ones, so that a client receives its messages in the order they were
/// routed. Not thread-safe: the owning connection serialises access. The collections are made on first use, since many connections never
/// receive a QoS 1 or 2 message.
/// </summary>
internal sealed class OutgoingPublishes(int maxInflight, int maxQueued)
{
    private Dictionary<ushort, PublishPacket>? _inflight;
    private Queue<(string Topic, byte[] Payload, QualityOfService Qos, bool Retain)>? _queued;
    private ushort _lastPacketId;

    public int InflightCount => _inflight?.Count ?? 0;

    /// <summary>Messages waiting for the in-flight window.</summary>
    public int QueuedCount => _queued?.Count ?? 0;

    /// <summary>
    /// Takes a message. Returns the PUBLISH to send now, or null when it waits for the window; <paramref name="overflowed"/>
    /// says the client reads too slowly for the queue's bound (and the message was not taken).
    /// </summary>
    public PublishPacket? Add(string topic, byte[] payload, QualityOfService qos, bool retain, out bool overflowed)
    {
        overflowed = false;
        if ((_queued is null || _queued.Count == 0) && (qos == QualityOfService.AtMostOnce || InflightCount < maxInflight))
        {
            return Start(topic, payload, qos, retain);
        }

        _queued ??= new();
        if (_queued.Count >= maxQueued)
        {
            overflowed = true;
            return null;
        }

        _queued.Enqueue((topic, payload, qos, retain));
        return null;
    }

    /// <summary>
    /// Ends a message's flow (PUBACK for QoS 1, PUBCOMP for QoS 2) and adds to <paramref name="ready"/> the queued
    /// PUBLISHes that may go now: the next one that takes the freed place, and the QoS 0 ones before and after it.
    /// </summary>
    public void Complete(ushort packetId, QualityOfService expectedQos, List<PublishPacket> ready)
    {
        if (_inflight is null || !_inflight.TryGetValue(packetId, out var packet) || packet.Qos != expectedQos)
        {
            return;
        }

        _inflight.Remove(packetId);
        while (_queued is not null && _queued.TryPeek(out var next) && (next.Qos == QualityOfService.AtMostOnce || InflightCount < maxInflight))
        {
            _queued.Dequeue();
            ready.Add(Start(next.Topic, next.Payload, next.Qos, next.Retain));
        }
    }

    private PublishPacket Start(string topic, byte[] payload, QualityOfService qos, bool retain)
    {
        if (qos == QualityOfService.AtMostOnce)
        {
            return new PublishPacket(topic, payload, qos, retain, Duplicate: false, PacketId: 0);
        }

        var packet = new PublishPacket(topic, payload, qos, retain, Duplicate: false, NextPacketId());
        (_inflight ??= []).Add(packet.PacketId, packet);
        return packet;
    }

    private ushort NextPacketId()
    {
        // The window is far smaller than the id space, so a free id is always found.
        do
        {
            _lastPacketId = _lastPacketId == ushort.MaxValue ? (ushort)1 : (ushort)(_lastPacketId + 1);
        }
        while (_inflight is not null && _inflight.ContainsKey(_lastPacketId));

        return _lastPacketId;
    }
}
