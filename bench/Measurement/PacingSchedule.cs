using System.Diagnostics;

namespace Broker.Bench.Measurement;

/// <summary>
/// Open-loop pacing: message i (from 0) is due at start + i / rate, whatever happened to the messages before
/// it. A sender that falls behind sends everything that is due at once, and each message keeps its intended
/// time, so the queueing delay shows up in the latency instead of being hidden (no coordinated omission).
/// </summary>
public sealed class PacingSchedule
{
    private readonly long _ticksPerSecond;

    public PacingSchedule(long startTicks, double messagesPerSecond, long ticksPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(messagesPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ticksPerSecond);
        StartTicks = startTicks;
        MessagesPerSecond = messagesPerSecond;
        _ticksPerSecond = ticksPerSecond;
    }

    public PacingSchedule(long startTicks, double messagesPerSecond)
        : this(startTicks, messagesPerSecond, Stopwatch.Frequency)
    {
    }

    public long StartTicks { get; }

    /// <summary>
    /// The shortest time between two sends, in ticks (0 = send each message at its time). A sender wakes once per
    /// quantum at most and sends everything due: fewer wake-ups and writes at high rates, at the price of up to a
    /// quantum of queueing in the generator, which the latency shows (the stamps keep the intended times).
    /// </summary>
    public long QuantumTicks { get; init; }

    public double MessagesPerSecond { get; }

    /// <summary>When message <paramref name="index"/> is meant to be sent, in ticks.</summary>
    public long IntendedTicks(long index) =>
        StartTicks + (long)Math.Ceiling(index * (double)_ticksPerSecond / MessagesPerSecond);

    /// <summary>When to wake for message <paramref name="index"/>, the last send having been at <paramref name="lastSendTicks"/>.</summary>
    public long WakeTicks(long index, long lastSendTicks) => Math.Max(IntendedTicks(index), lastSendTicks + QuantumTicks);

    /// <summary>How many messages are due at <paramref name="nowTicks"/>: those whose intended time is not after it.</summary>
    public long DueCount(long nowTicks)
    {
        if (nowTicks < StartTicks)
        {
            return 0;
        }

        var due = (long)Math.Floor((nowTicks - StartTicks) * MessagesPerSecond / _ticksPerSecond) + 1;

        // Floating point may land one off near a boundary; settle it against IntendedTicks, the definition.
        while (due > 0 && IntendedTicks(due - 1) > nowTicks)
        {
            due--;
        }

        while (IntendedTicks(due) <= nowTicks)
        {
            due++;
        }

        return due;
    }
}
