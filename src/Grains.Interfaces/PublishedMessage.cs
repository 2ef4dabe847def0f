namespace Broker.Grains;

/// <summary>
/// An application message as published into an instance. The payload is never mutated after creation.
/// <see cref="PublisherId"/> is the publishing connection's id on the gateway that sent the message (0 when no
/// connection published it, as with the HTTP interface).
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed record PublishedMessage(
    [property: Id(0)] string Topic,
    [property: Id(1)] byte[] Payload,
    [property: Id(2)] byte Qos,
    [property: Id(3)] bool Retain,
    [property: Id(4)] long PublisherId = 0)
{
    /// <summary>
    /// The largest message (topic and payload bytes) the delivery path carries: delivery batches travel as memory
    /// stream events, which must fit the stream cache's 1 MB blocks together with the batch's other content.
    /// </summary>
    public const int MaxSize = 512 * 1024;
}
