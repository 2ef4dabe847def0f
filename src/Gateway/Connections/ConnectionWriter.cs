using System.IO.Pipelines;
using System.Threading.Channels;
using Broker.Gateway.Telemetry;
using Broker.Grains;
using Broker.Protocol;

namespace Broker.Gateway.Connections;

/// <summary>
/// The sending half of a connection: the queue of packets for the client and the loop that drains it into the
/// pipe with one flush per batch. Memory per client stays bounded: QoS 0 messages are dropped beyond
/// <see cref="Hosting.GatewayOptions.MaxQueuedBytes"/>, QoS 1 and 2 wait for the in-flight window in a bounded
/// queue, and a client that lets that queue overflow is reported as a slow consumer.
/// </summary>
internal sealed class ConnectionWriter(int maxInflight, int maxQueuedMessages, long maxQueuedBytes, BrokerMetrics metrics)
{
    private readonly Channel<MqttPacket> _packets = Channel.CreateUnbounded<MqttPacket>(new UnboundedChannelOptions { SingleReader = true });
    private readonly OutgoingPublishes _outgoing = new(maxInflight, maxQueuedMessages);
    private List<(PublishedMessage Message, byte Qos)>? _held;
    private long _queuedBytes;

    public void Send(MqttPacket packet)
    {
        Interlocked.Add(ref _queuedBytes, packet.GetSize());
        _packets.Writer.TryWrite(packet);
    }

    /// <summary>
    /// Queues a message from the instance at the QoS the client was granted. Returns false when the client reads
    /// too slowly for the bounded queue (a slow consumer).
    /// </summary>
    public bool Deliver(PublishedMessage message, byte qos, bool retain)
    {
        lock (_outgoing)
        {
            if (_held is not null && !retain)
            {
                _held.Add((message, qos));
                return _held.Count <= maxQueuedMessages;
            }

            return DeliverNow(message, qos, retain);
        }
    }

    /// <summary>
    /// Holds live deliveries back while a SUBSCRIBE is with the instance, so that the SUBACK and the retained
    /// messages it brings go out before any live message routed after the subscription.
    /// </summary>
    public void HoldDeliveries()
    {
        lock (_outgoing)
        {
            _held ??= [];
        }
    }

    /// <summary>Sends what was held back, in order, and delivers directly again. Returns false for a slow consumer.</summary>
    public bool ReleaseDeliveries()
    {
        lock (_outgoing)
        {
            var held = _held;
            _held = null;
            var keptUp = true;
            foreach (var (message, qos) in held ?? [])
            {
                keptUp &= DeliverNow(message, qos, retain: false);
            }

            return keptUp;
        }
    }

    /// <summary>Ends an outgoing message's flow (PUBACK for QoS 1, PUBCOMP for QoS 2) and sends the next queued one.</summary>
    public void Complete(ushort packetId, QualityOfService qos)
    {
        lock (_outgoing)
        {
            if (_outgoing.Complete(packetId, qos) is { } next)
            {
                Send(next);
                metrics.MessagesOut.Add(1);
            }
        }
    }

    /// <summary>No more packets: the write loop ends once it has written what is queued.</summary>
    public void Finish() => _packets.Writer.TryComplete();

    /// <summary>Writes queued packets until <see cref="Finish"/> or until <paramref name="aborted"/>, flushing once per batch.</summary>
    public async Task RunAsync(PipeWriter output, CancellationToken aborted)
    {
        var reader = _packets.Reader;
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                long written = 0;
                while (reader.TryRead(out var packet))
                {
                    packet.Write(output);
                    written += packet.GetSize();
                }

                Interlocked.Add(ref _queuedBytes, -written);
                var flush = await output.FlushAsync(aborted);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        finally
        {
            await output.CompleteAsync();
        }
    }

    private bool DeliverNow(PublishedMessage message, byte qos, bool retain)
    {
        if (qos == 0)
        {
            if (Volatile.Read(ref _queuedBytes) > maxQueuedBytes)
            {
                metrics.MessagesDropped.Add(1);
                return true;
            }

            Send(new PublishPacket(message.Topic, message.Payload, QualityOfService.AtMostOnce, retain, Duplicate: false, PacketId: 0));
            metrics.MessagesOut.Add(1);
            return true;
        }

        if (_outgoing.Add(message, (QualityOfService)qos, retain, out var overflowed) is { } packet)
        {
            Send(packet);
            metrics.MessagesOut.Add(1);
        }

        return !overflowed;
    }
}
