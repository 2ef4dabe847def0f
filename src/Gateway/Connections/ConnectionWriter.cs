using System.IO.Pipelines;
using System.Threading.Tasks.Sources;
using Broker.Gateway.Options;
using Broker.Gateway.Telemetry;
using Broker.Grains;
using Broker.Protocol;

namespace Broker.Gateway.Connections;

/// <summary>
/// The sending half of a connection: the queue of packets for the client and the loop that drains it into the
/// pipe with one flush per batch. Memory per client stays bounded: QoS 0 messages are dropped beyond
/// <see cref="GatewayOptions.MaxQueuedBytes"/>, QoS 1 and 2 wait for the in-flight window in a bounded
/// queue, and a client that lets that queue overflow is reported as a slow consumer. The queue is two swapped
/// lists and one reusable wake-up signal, so an idle connection holds little memory and a busy one allocates
/// nothing per flush. Deliveries only queue; <see cref="Flush"/>, called once after a batch of them, wakes the loop
/// on the calling thread, so that a batch of deliveries reaches the pipe without a thread hop.
/// </summary>
internal sealed class ConnectionWriter(int maxInflight, int maxQueuedMessages, long maxQueuedBytes, BrokerMetrics metrics)
    : IValueTaskSource<bool>
{
    private const int RetainedListCapacity = 256;

    private readonly Lock _gate = new();
    private readonly OutgoingPublishes _outgoing = new(maxInflight, maxQueuedMessages);
    private readonly List<PublishPacket> _released = [];
    private List<MqttPacket> _queued = [];
    private List<MqttPacket> _writing = [];
    private List<(PublishedMessage Message, byte Qos, bool RootSlash)>? _held;
    private ManualResetValueTaskSourceCore<bool> _signal = new() { RunContinuationsAsynchronously = true };
    private bool _waiting;
    private bool _finished;
    private long _queuedBytes;

    /// <summary>QoS 1 and 2 messages sent and not acknowledged yet, and messages waiting for the in-flight window.</summary>
    public int BackloggedMessages
    {
        get
        {
            lock (_gate)
            {
                return _outgoing.InflightCount + _outgoing.QueuedCount;
            }
        }
    }

    /// <summary>Bytes queued for the socket and not written yet.</summary>
    public long BackloggedBytes => Volatile.Read(ref _queuedBytes);

    /// <summary>Queues a packet and writes it (see <see cref="Flush"/>); not to be called with the queue's lock held.</summary>
    public void Send(MqttPacket packet)
    {
        Queue(packet);
        Flush();
    }

    /// <summary>
    /// Writes what was queued when the write loop is idle: the loop runs on the calling thread until it has handed
    /// everything to the pipe (or the pipe pushes back), instead of waking a thread of its own for it.
    /// </summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (!_waiting || _queued.Count == 0)
            {
                return;
            }

            _waiting = false;
        }

        // Only the thread that took the wake-up sets the signal, so the flag cannot change under another.
        _signal.RunContinuationsAsynchronously = false;
        _signal.SetResult(true);
    }

    /// <summary>
    /// Queues a message from the instance at the QoS the client was granted, to be written by the next
    /// <see cref="Flush"/>. Returns false when the client reads
    /// too slowly for the bounded queue (a slow consumer). With <paramref name="rootSlash"/> the client gets the
    /// topic with the leading '/' its subscription had.
    /// </summary>
    public bool Deliver(PublishedMessage message, byte qos, bool retain, bool rootSlash)
    {
        lock (_gate)
        {
            if (_held is not null && !retain)
            {
                _held.Add((message, qos, rootSlash));
                return _held.Count <= maxQueuedMessages;
            }

            return DeliverNow(message, qos, retain, rootSlash);
        }
    }

    /// <summary>
    /// Holds live deliveries back while a SUBSCRIBE is with the instance, so that the SUBACK and the retained
    /// messages it brings go out before any live message routed after the subscription.
    /// </summary>
    public void HoldDeliveries()
    {
        lock (_gate)
        {
            _held ??= [];
        }
    }

    /// <summary>Sends what was held back, in order, and delivers directly again. Returns false for a slow consumer.</summary>
    public bool ReleaseDeliveries()
    {
        var keptUp = true;
        lock (_gate)
        {
            var held = _held;
            _held = null;
            foreach (var (message, qos, rootSlash) in held ?? [])
            {
                keptUp &= DeliverNow(message, qos, retain: false, rootSlash);
            }
        }

        Flush();
        return keptUp;
    }

    /// <summary>Ends an outgoing message's flow (PUBACK for QoS 1, PUBCOMP for QoS 2) and sends the next queued one.</summary>
    public void Complete(ushort packetId, QualityOfService qos)
    {
        lock (_gate)
        {
            _outgoing.Complete(packetId, qos, _released);
            foreach (var next in _released)
            {
                Queue(next);
                metrics.BytesOut.Add(next.Payload.Length);
            }

            metrics.MessagesOut.Add(_released.Count);
            _released.Clear();
        }

        Flush();
    }

    /// <summary>No more packets: the write loop ends once it has written what is queued.</summary>
    public void Finish()
    {
        bool wake;
        lock (_gate)
        {
            _finished = true;
            wake = _waiting;
            _waiting = false;
        }

        if (wake)
        {
            _signal.RunContinuationsAsynchronously = true;
            _signal.SetResult(false);
        }
    }

    /// <summary>
    /// Writes queued packets until <see cref="Finish"/>, flushing once per batch; a cancelled flush (the
    /// connection was aborted or closed) ends it early. The caller completes the pipe.
    /// </summary>
    public async Task RunAsync(PipeWriter output)
    {
        // Without a captured context: the loop goes on wherever a flush woke it, never on a caller's scheduler.
        while (await WaitForPacketsAsync().ConfigureAwait(false))
        {
            lock (_gate)
            {
                (_writing, _queued) = (_queued, _writing);
            }

            long written = 0;
            foreach (var packet in _writing)
            {
                packet.Write(output);
                written += packet.GetSize();
            }

            Recycle(_writing);
            Interlocked.Add(ref _queuedBytes, -written);
            var flush = await output.FlushAsync().ConfigureAwait(false);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>Adds a packet to the queue without waking the write loop: the next <see cref="Flush"/> writes it.</summary>
    public void Queue(MqttPacket packet)
    {
        Interlocked.Add(ref _queuedBytes, packet.GetSize());
        lock (_gate)
        {
            if (!_finished)
            {
                _queued.Add(packet);
            }
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _signal.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _signal.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _signal.OnCompleted(continuation, state, token, flags);

    /// <summary>True when packets are queued; false when the writer is finished and everything was written.</summary>
    private ValueTask<bool> WaitForPacketsAsync()
    {
        lock (_gate)
        {
            if (_queued.Count > 0)
            {
                return ValueTask.FromResult(true);
            }

            if (_finished)
            {
                return ValueTask.FromResult(false);
            }

            _signal.Reset();
            _waiting = true;
            return new ValueTask<bool>(this, _signal.Version);
        }
    }

    /// <summary>Empties a written list; one that grew for a burst gives its memory back.</summary>
    private static void Recycle(List<MqttPacket> packets)
    {
        packets.Clear();
        if (packets.Capacity > RetainedListCapacity)
        {
            packets.Capacity = 0;
        }
    }

    private bool DeliverNow(PublishedMessage message, byte qos, bool retain, bool rootSlash)
    {
        if (qos == 0 && Volatile.Read(ref _queuedBytes) > maxQueuedBytes)
        {
            metrics.MessagesDropped.Add(1, BrokerMetrics.DropReason("queued_bytes"));
            return true;
        }

        var topic = rootSlash ? "/" + message.Topic : message.Topic;
        if (_outgoing.Add(topic, message.Payload, (QualityOfService)qos, retain, out var overflowed) is { } packet)
        {
            Queue(packet);
            metrics.MessagesOut.Add(1);
            metrics.BytesOut.Add(message.Payload.Length);
        }
        else if (overflowed && qos == 0)
        {
            // QoS 0 may be lost: a full queue drops it rather than the client.
            metrics.MessagesDropped.Add(1, BrokerMetrics.DropReason("queue_full"));
            return true;
        }

        return !overflowed;
    }
}
