namespace Broker.Grains.Instances;

/// <summary>
/// Whether an instance activation holds QoS 1 and 2 publishes back. Gateways restoring connections into a young
/// activation mean that it replaced one that had them (its silo died, or it moved), so other gateways may hold
/// subscriptions here that it does not know yet: they restore them at their next lease renewal. Until
/// <c>window</c> after the activation such messages are held, so that they do not miss those subscribers; after
/// that, a restore is a gateway whose own lease ran out, and nothing is held. An activation that nobody restores into
/// had no connections to lose, and holds nothing.
/// </summary>
internal sealed class RestoreHold(TimeSpan window, TimeProvider time)
{
    private readonly long _activatedAt = time.GetTimestamp();
    private long _until;

    public bool IsHolding => _until != 0 && time.GetTimestamp() < _until;

    /// <summary>Takes note of a gateway's restore that registered <paramref name="connections"/> new connections; returns for how long from now this starts a hold, or null.</summary>
    public TimeSpan? Restored(int connections)
    {
        var left = window - time.GetElapsedTime(_activatedAt);
        if (connections == 0 || _until != 0 || left <= TimeSpan.Zero)
        {
            return null;
        }

        _until = time.GetTimestamp() + (long)(left.TotalSeconds * time.TimestampFrequency);
        return left;
    }
}
