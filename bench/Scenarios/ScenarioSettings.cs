using Broker.Protocol;

namespace Broker.Bench.Scenarios;

/// <summary>
/// One scenario's parameters, defaults resolved. <see cref="Rate"/> is the total publish rate of all
/// publishers together in messages per second (0 = as fast as the window allows).
/// </summary>
public sealed record ScenarioSettings
{
    public required ScenarioKind Kind { get; init; }

    public QualityOfService Qos { get; init; }

    public int PayloadBytes { get; init; } = 64;

    /// <summary>Whether the publishes are retained (each replaces its topic's retained message).</summary>
    public bool Retain { get; init; }

    public double Rate { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait after the last send for messages still on their way; what is missing then is lost.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(5);

    public int Publishers { get; init; } = 1;

    public int Subscribers { get; init; } = 1;

    public int Connections { get; init; } = 10_000;

    public int Window { get; init; } = 1000;

    /// <summary>Threads receiving for the subscribers (and QoS 1 publishers); 0 = <see cref="Load.ReceivePool.DefaultThreads"/>.</summary>
    public int ReceiveThreads { get; init; }

    /// <summary>Paced publishers send at most once per quantum (see <see cref="Measurement.PacingSchedule.QuantumTicks"/>); zero = every message on time.</summary>
    public TimeSpan PacingQuantum { get; init; }

    /// <summary>The settings in one line, for the report's heading.</summary>
    public string Describe() => Kind == ScenarioKind.Conn
        ? $"conn: {Connections} idle connections"
        : $"{Kind.ToString().ToLowerInvariant()}: qos {(int)Qos}{(Retain ? ", retained" : "")}, payload {PayloadBytes} B, {Publishers} publisher(s), {Subscribers} subscriber(s), "
            + $"rate {(Rate > 0 ? $"{Rate:0} msg/s" : $"max (window {Window})")}, {Duration.TotalSeconds:0.#} s after {Warmup.TotalSeconds:0.#} s warm-up";
}
