using Broker.Grains;
using Broker.Protocol;

namespace Broker.Gateway.Connections;

/// <summary>
/// QoS 1 and 2 messages on their way to one client: packet ids (a connection's first is 1), the in-flight window
/// of unacknowledged messages, and the bounded queue of messages waiting for the window. Not thread-safe: the
/// owning connection serialises access. The collections are made on first use, since many connections never
/// receive a QoS 1 or 2 message.
/// </summary>
internal sealed class OutgoingPublishes(int maxInflight, int maxQueued)
{
    private Dictionary<ushort, PublishPacket>? _inflight;
    private Queue<(string Topic, byte[] Payload, QualityOfService Qos, bool Retain)>? _queued;
    private ushort _lastPacketId;

    public int InflightCount => _inflight?.Count ?? 0;

    /// <summary>
    /// Takes a message. Returns the PUBLISH to send now, or null when it waits for the window; <paramref name="overflowed"/>
    /// says the client reads too slowly for the queue's bound.
    /// </summary>
    public PublishPacket? Add(string topic, byte[] payload, QualityOfService qos, bool retain, out bool overflowed)
    {
        overflowed = false;
        if (InflightCount < maxInflight && (_queued is null || _queued.Count == 0))
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

    /// <summary>Ends a message's flow (PUBACK for QoS 1, PUBCOMP for QoS 2); returns the next queued PUBLISH to send, if any.</summary>
    public PublishPacket? Complete(ushort packetId, QualityOfService expectedQos)
    {
        if (_inflight is null || !_inflight.TryGetValue(packetId, out var packet) || packet.Qos != expectedQos)
        {
            return null;
        }

        _inflight.Remove(packetId);
        return _queued is not null && _queued.TryDequeue(out var next) ? Start(next.Topic, next.Payload, next.Qos, next.Retain) : null;
    }

    private PublishPacket Start(string topic, byte[] payload, QualityOfService qos, bool retain)
    {
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
