namespace Broker.Protocol;

/// <summary>
/// The message a CONNECT asks the server to publish if the connection ends without DISCONNECT.
/// Equality compares the payload bytes.
/// </summary>
public sealed record WillMessage(string Topic, byte[] Payload, QualityOfService Qos, bool Retain)
{
    public bool Equals(WillMessage? other) =>
        other is not null
        && Topic == other.Topic
        && Qos == other.Qos
        && Retain == other.Retain
        && Payload.AsSpan().SequenceEqual(other.Payload);

    public override int GetHashCode() => HashCode.Combine(Topic, Qos, Retain, Payload.Length);
}
