namespace Broker.Grains.Instances;

/// <summary>
/// Whether an instance activation holds QoS 1 and 2 publishes back. Gateways restoring connections into a young
/// activation mean that it replaced one that had them (its silo died, or it moved), so other gateways may hold
/// subscriptions here that it does not know yet; routed now, a reliable message would miss them. Each restoring
/// gateway names the gateways the lost activation last knew with connections; the hold lasts until every gateway
/// named has restored, and at most until <c>window</c> after the activation (a named gateway that died never
/// restores). After the window a restore is a gateway whose own lease ran out, and starts nothing. An activation that
/// nobody restores into had no connections to lose, and holds nothing.
/// </summary>
internal sealed class RestoreHold(TimeSpan window, TimeProvider time)
{
    private readonly long _activatedAt = time.GetTimestamp();
    private readonly HashSet<string> _named = new(StringComparer.Ordinal);
    private readonly HashSet<string> _restored = new(StringComparer.Ordinal);
    private long _until;

    public bool IsHolding => _until != 0 && time.GetTimestamp() < _until && !_named.IsSubsetOf(_restored);

    /// <summary>
    /// Takes note of a gateway's restore, which registered <paramref name="connections"/> new connections and named
    /// <paramref name="gateways"/>. Returns how long from now the hold lasts at most if this restore started it, and
    /// the gateways named for the first time that have not restored: the instance tells them at once that it was
    /// activated again.
    /// </summary>
    public (TimeSpan? Started, IReadOnlyList<string> Unheard) Restored(string gatewayId, int connections, ImmutableArray<string> gateways)
    {
        TimeSpan? started = null;
        if (_until == 0)
        {
            var left = window - time.GetElapsedTime(_activatedAt);
            if (connections == 0 || left <= TimeSpan.Zero)
            {
                return (null, []);
            }

            _until = time.GetTimestamp() + (long)(left.TotalSeconds * time.TimestampFrequency);
            started = left;
        }

        _named.Add(gatewayId);
        _restored.Add(gatewayId);
        List<string>? unheard = null;
        foreach (var named in gateways)
        {
            if (_named.Add(named))
            {
                (unheard ??= []).Add(named);
            }
        }

        return (started, unheard ?? []);
    }
}
