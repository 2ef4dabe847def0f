namespace Broker.Bench.Scenarios;

/// <summary>
/// What one scenario measured against one broker. Totals cover the whole run (warm-up and drain included) and
/// are what the exact invariants are checked on; <see cref="Metrics"/> are the measured-window figures of the
/// report, in display order.
/// </summary>
public sealed record ScenarioResult
{
    public required string Target { get; init; }

    public required ScenarioSettings Settings { get; init; }

    public long Sent { get; init; }

    /// <summary>PUBLISH packets received by all subscribers (duplicates included).</summary>
    public long Received { get; init; }

    /// <summary>Deliveries expected: each publisher's messages times the subscribers of its topic.</summary>
    public long Expected { get; init; }

    public long Lost { get; init; }

    public long Duplicated { get; init; }

    public long OutOfOrder { get; init; }

    public long Acknowledged { get; init; }

    public int ConnectionsAccepted { get; init; }

    public IReadOnlyList<Metric> Metrics { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];
}
