using Orleans.Streams;

namespace Broker.Streaming;

/// <summary>
/// Where an item stands in what one producer silo sent on one stream: an epoch (new when the silo starts producing on
/// the stream, again after it was idle) and a number that grows by one per item, so that a consumer sees gaps
/// (dropped items) and restarts.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class PushSequenceToken : StreamSequenceToken
{
    public PushSequenceToken(Guid epoch, long sequenceNumber)
    {
        Epoch = epoch;
        SequenceNumber = sequenceNumber;
    }

    [Id(0)]
    public Guid Epoch { get; private set; }

    [Id(1)]
    public override long SequenceNumber { get; protected set; }

    public override int EventIndex { get => 0; protected set { } }

    public override bool Equals(StreamSequenceToken? other) =>
        other is PushSequenceToken token && token.Epoch == Epoch && token.SequenceNumber == SequenceNumber;

    public override bool Equals(object? obj) => Equals(obj as StreamSequenceToken);

    public override int GetHashCode() => HashCode.Combine(Epoch, SequenceNumber);

    /// <summary>Orders tokens of one epoch by number; tokens of different epochs are not ordered and compare by epoch.</summary>
    public override int CompareTo(StreamSequenceToken? other) => other switch
    {
        null => 1,
        PushSequenceToken token when token.Epoch == Epoch => SequenceNumber.CompareTo(token.SequenceNumber),
        PushSequenceToken token => Epoch.CompareTo(token.Epoch),
        _ => throw new ArgumentException($"a {other.GetType().Name} cannot be compared with a push stream's token", nameof(other)),
    };

    public override string ToString() => $"{Epoch:N}:{SequenceNumber}";
}
