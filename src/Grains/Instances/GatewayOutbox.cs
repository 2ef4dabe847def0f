using Orleans.Streams;

namespace Broker.Grains.Instances;

/// <summary>
/// One gateway as seen by an instance: its lease, its connections, the last of its publish batches routed, and the
/// deliveries collected for it during the current grain turn, sent on the gateway's inbox stream at the end of the
/// turn. A turn's deliveries are cut into batches of bounded size, because the stream rejects events larger than its
/// cache blocks. A stream that keeps the order of calls not awaited (push streams) gets a turn's batches in one go;
/// any other gets each once the one before was accepted.
/// </summary>
internal sealed class GatewayOutbox(string gatewayId, string instance, Guid epoch, IAsyncObserver<InboxBatch> inbox, bool keepsCallOrder, TimeProvider time)
{
    /// <summary>
    /// Message bytes after which a batch is cut. With <see cref="PublishedMessage.MaxSize"/> and the most
    /// deliveries a batch carries, a batch stays below the memory stream cache's 1 MB blocks.
    /// </summary>
    private const int MaxBatchMessageBytes = 256 * 1024;

    /// <summary>Deliveries after which a batch is cut.</summary>
    private const int MaxBatchDeliveries = 8192;

    private readonly List<PublishedMessage> _messages = [];
    private readonly List<Delivery> _deliveries = [];
    private readonly List<ConnectionClose> _connectionsToClose = [];
    private readonly List<InboxBatch> _ready = [];
    private PublishedMessage? _lastMessage;
    private int _messageBytes;
    private long _sequence;
    private bool _wake;

    public string GatewayId { get; } = gatewayId;

    /// <summary>
    /// This lease's identity. A gateway seen again after its lease ran out gets a new outbox, and so a new id: the
    /// gateway compares ids, not the order of answers, to tell whether the instance forgot its connections.
    /// </summary>
    public Guid LeaseId { get; } = Guid.NewGuid();

    public HashSet<long> Connections { get; } = [];

    /// <summary>When the gateway last renewed its lease, as a timestamp of the instance's <see cref="TimeProvider"/>.</summary>
    public long LeaseRenewedAt { get; set; }

    /// <summary>The sequence number of the last batch made.</summary>
    public long Sequence => _sequence;

    /// <summary>The <see cref="PublishBatch.Sequence"/> of the gateway's last publish batch routed (0: none yet).</summary>
    public long LastPublishRouted { get; set; }

    public bool HasPending => _ready.Count > 0 || _deliveries.Count > 0 || _connectionsToClose.Count > 0 || _wake;

    public void AddDelivery(PublishedMessage message, long connectionId, byte qos, bool rootSlash)
    {
        // Deliveries of one message to several connections come in a row, so one comparison deduplicates it.
        if (!ReferenceEquals(message, _lastMessage) || _deliveries.Count == MaxBatchDeliveries)
        {
            var messageBytes = (message.Topic.Length * 3) + message.Payload.Length;
            if (_deliveries.Count == MaxBatchDeliveries || (_messages.Count > 0 && _messageBytes + messageBytes > MaxBatchMessageBytes))
            {
                Cut();
            }

            _messages.Add(message);
            _lastMessage = message;
            _messageBytes += messageBytes;
        }

        _deliveries.Add(new Delivery(_messages.Count - 1, connectionId, qos, rootSlash));
    }

    public void AddClose(long connectionId, CloseReason reason) => _connectionsToClose.Add(new ConnectionClose(connectionId, reason));

    /// <summary>Sends the gateway a batch at the end of the turn, empty if nothing else is for it: news of this activation.</summary>
    public void Wake() => _wake = true;

    /// <summary>Sends the turn's batches in order; the task completes as the stream's produce calls do.</summary>
    public Task SendAsync()
    {
        Cut();
        var sent = _ready.Count switch
        {
            0 => Task.CompletedTask,
            1 => inbox.OnNextAsync(_ready[0]),
            _ when keepsCallOrder => Task.WhenAll(_ready.Select(batch => inbox.OnNextAsync(batch)).ToArray()),
            _ => SendOneByOneAsync([.. _ready]),
        };
        _ready.Clear();
        return sent;
    }

    private async Task SendOneByOneAsync(InboxBatch[] batches)
    {
        foreach (var batch in batches)
        {
            await inbox.OnNextAsync(batch);
        }
    }

    private void Cut()
    {
        if (_deliveries.Count == 0 && _connectionsToClose.Count == 0 && !_wake)
        {
            return;
        }

        _wake = false;
        _ready.Add(new InboxBatch(instance, epoch, ++_sequence, [.. _messages], [.. _deliveries], [.. _connectionsToClose], time.GetUtcNow().UtcTicks));
        _messages.Clear();
        _deliveries.Clear();
        _connectionsToClose.Clear();
        _lastMessage = null;
        _messageBytes = 0;
    }
}
