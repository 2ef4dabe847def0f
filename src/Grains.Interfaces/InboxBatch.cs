using Broker.Streaming;

namespace Broker.Grains;

/// <summary>
/// One event on a gateway's inbox stream: what one instance sends that gateway after one grain turn. Each
/// message is carried once, however many of the gateway's connections receive it. <see cref="SentAtUtcTicks"/>
/// makes the time spent in the stream visible at the gateway. (Id 5 carried the connections to close, without
/// reasons, before <see cref="ConnectionClose"/>; it is not used again.) Its size, for the bound on what waits for a
/// slow gateway, is its messages' topics and payloads and its deliveries.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed record InboxBatch(
    [property: Id(0)] string Instance,
    [property: Id(1)] Guid Epoch,
    [property: Id(2)] long Sequence,
    [property: Id(3)] ImmutableArray<PublishedMessage> Messages,
    [property: Id(4)] ImmutableArray<Delivery> Deliveries,
    [property: Id(7)] ImmutableArray<ConnectionClose> ConnectionsToClose,
    [property: Id(6)] long SentAtUtcTicks) : ISizedStreamItem
{
    /// <summary>Roughly what a delivery takes in a batch: its message index, connection id and flags.</summary>
    private const int DeliverySize = 16;

    public long Size
    {
        get
        {
            long size = (long)Deliveries.Length * DeliverySize;
            foreach (var message in Messages)
            {
                size += (message.Topic.Length * sizeof(char)) + message.Payload.Length;
            }

            return size;
        }
    }
}
