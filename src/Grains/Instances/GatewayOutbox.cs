using Orleans.Streams;

namespace Broker.Grains.Instances;

/// <summary>
/// One gateway as seen by an instance: its lease, its connections, and the deliveries collected for it during
/// the current grain turn, sent as one <see cref="InboxBatch"/> on the gateway's inbox stream.
/// </summary>
internal sealed class GatewayOutbox(string gatewayId, IAsyncStream<InboxBatch> inbox)
{
    private readonly List<PublishedMessage> _messages = [];
    private readonly List<Delivery> _deliveries = [];
    private readonly List<long> _connectionsToClose = [];
    private PublishedMessage? _lastMessage;
    private long _sequence;

    public string GatewayId { get; } = gatewayId;

    public HashSet<long> Connections { get; } = [];

    public DateTime LeaseExpiresUtc { get; set; }

    /// <summary>The sequence number of the last batch sent.</summary>
    public long Sequence => _sequence;

    public bool HasPending => _deliveries.Count > 0 || _connectionsToClose.Count > 0;

    public void AddDelivery(PublishedMessage message, long connectionId, byte qos)
    {
        // Deliveries of one message to several connections come in a row, so one comparison deduplicates it.
        if (!ReferenceEquals(message, _lastMessage))
        {
            _messages.Add(message);
            _lastMessage = message;
        }

        _deliveries.Add(new Delivery(_messages.Count - 1, connectionId, qos));
    }

    public void AddClose(long connectionId) => _connectionsToClose.Add(connectionId);

    public Task SendAsync(string instance, Guid epoch)
    {
        var batch = new InboxBatch(instance, epoch, ++_sequence, [.. _messages], [.. _deliveries], [.. _connectionsToClose]);
        _messages.Clear();
        _deliveries.Clear();
        _connectionsToClose.Clear();
        _lastMessage = null;
        return inbox.OnNextAsync(batch);
    }
}
