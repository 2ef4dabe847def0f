using System.Diagnostics.Metrics;

namespace Broker.Gateway.Telemetry;

/// <summary>The broker's own meter, exported through OpenTelemetry.</summary>
public sealed class BrokerMetrics
{
    public const string MeterName = "Broker";

    private readonly Meter _meter;

    public BrokerMetrics(IMeterFactory meterFactory)
    {
        var meter = _meter = meterFactory.Create(MeterName);
        Connections = meter.CreateUpDownCounter<long>("broker.connections", description: "Open MQTT connections, by transport (tcp, tls, websocket, websocket_tls)");
        MessagesIn = meter.CreateCounter<long>("broker.messages.in", description: "PUBLISH packets received from clients");
        MessagesOut = meter.CreateCounter<long>("broker.messages.out", description: "PUBLISH packets queued for clients");
        BytesIn = meter.CreateCounter<long>("broker.bytes.in", unit: "By", description: "Payload bytes of the PUBLISH packets received from clients");
        BytesOut = meter.CreateCounter<long>("broker.bytes.out", unit: "By", description: "Payload bytes of the PUBLISH packets queued for clients");
        MessagesDropped = meter.CreateCounter<long>("broker.messages.dropped", description: "QoS 0 messages dropped for slow consumers, by reason (queued_bytes: the socket's queue is over Broker:MaxQueuedBytes; queue_full: Broker:MaxQueuedMessages are waiting)");
        BatchesLost = meter.CreateCounter<long>("broker.inbox.batches_lost", description: "Delivery batches that instances sent this gateway and that were dropped on the way");
        BatchSize = meter.CreateHistogram<int>("broker.publish.batch_size", description: "Messages per publish call to an instance");
        PublishDuration = meter.CreateHistogram<double>("broker.publish.duration", unit: "ms", description: "Duration of publish calls to instances, until the instance accepted the batch");
        PublishRetries = meter.CreateCounter<long>("broker.publish.retries", description: "Publish batches sent to an instance again: the call failed or timed out, or the instance could not take the batch yet");
        InboxDelay = meter.CreateHistogram<double>("broker.inbox.delay", unit: "ms", description: "Time from an instance sending a delivery batch to this gateway receiving it (the stream hop)");
    }

    /// <summary>Reports what waits to reach the clients, as <paramref name="backlog"/> gives it when metrics are collected.</summary>
    public void ObserveBacklog(Func<(long Messages, long Bytes)> backlog)
    {
        _meter.CreateObservableUpDownCounter("broker.queued.messages", () => backlog().Messages, description: "QoS 1 and 2 messages sent to clients and not acknowledged yet, or waiting for a client's in-flight window");
        _meter.CreateObservableUpDownCounter("broker.queued.bytes", () => backlog().Bytes, unit: "By", description: "Bytes queued for clients' sockets and not written yet");
    }

    public UpDownCounter<long> Connections { get; }

    public Counter<long> MessagesIn { get; }

    public Counter<long> MessagesOut { get; }

    public Counter<long> BytesIn { get; }

    public Counter<long> BytesOut { get; }

    public Counter<long> MessagesDropped { get; }

    /// <summary>The attribute of <see cref="Connections"/>: the transport a connection came over.</summary>
    public static KeyValuePair<string, object?> Transport(string transport) => new("transport", transport);

    /// <summary>The attribute of <see cref="MessagesDropped"/>: why.</summary>
    public static KeyValuePair<string, object?> DropReason(string reason) => new("reason", reason);

    public Counter<long> BatchesLost { get; }

    public Histogram<int> BatchSize { get; }

    public Histogram<double> PublishDuration { get; }

    public Counter<long> PublishRetries { get; }

    public Histogram<double> InboxDelay { get; }
}
