namespace Broker.Grains.Instances;

/// <summary>
/// Whether an instance activation holds QoS 1 and 2 publishes back. An activation that replaced one with connections
/// (its silo died, or it moved) does not know the subscriptions that other gateways hold here yet; routed now, a
/// reliable message would miss them. It learns whom to wait for in two ways: the instance's roster names the gateways
/// that held connections when the activation starts (<see cref="Expect"/>), and each restoring gateway names the
/// gateways the lost activation last knew with connections. The hold lasts until every gateway named has restored (a
/// gateway with nothing left here restores nothing, which is an answer too), and at most until <c>window</c> after the
/// activation (a named gateway that died never restores). After the window a restore is a gateway whose own lease ran
/// out, and starts nothing. An activation that nobody is expected or restores into had no connections to lose, and
/// holds nothing.
/// </summary>
internal sealed class RestoreHold(TimeSpan window, TimeProvider time)
{
    private readonly long _activatedAt = time.GetTimestamp();
    private readonly HashSet<string> _named = new(StringComparer.Ordinal);
    private readonly HashSet<string> _restored = new(StringComparer.Ordinal);
    private long _until;

    public bool IsHolding => _until != 0 && time.GetTimestamp() < _until && !_named.IsSubsetOf(_restored);

    /// <summary>Whether the hold waits for <paramref name="gatewayId"/> to restore.</summary>
    public bool Awaits(string gatewayId) => IsHolding && _named.Contains(gatewayId) && !_restored.Contains(gatewayId);

    /// <summary>
    /// Starts the hold at activation for the gateways the roster says held connections here (the lost activation's),
    /// so that it holds even when none of them is the first to call. Returns how long the hold lasts at most, or null
    /// when it holds nothing.
    /// </summary>
    public TimeSpan? Expect(IReadOnlyCollection<string> gateways)
    {
        if (gateways.Count == 0 || window <= TimeSpan.Zero)
        {
            return null;
        }

        _until = _activatedAt + (long)(window.TotalSeconds * time.TimestampFrequency);
        _named.UnionWith(gateways);
        return window;
    }

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
