using System.Diagnostics;

namespace Broker.Bench.Measurement;

/// <summary>Counters and CPU times at one instant; two of them give the rates and CPU use of the window between.</summary>
public readonly record struct UsageSnapshot(long Ticks, long Sent, long Received, TimeSpan GeneratorCpu, TimeSpan? BrokerCpu)
{
    /// <summary>The counters now, with the CPU time of the broker's processes summed (null unless every one can be read).</summary>
    public static UsageSnapshot Take(long sent, long received, IReadOnlyList<int> brokerProcessIds)
    {
        ArgumentNullException.ThrowIfNull(brokerProcessIds);
        var broker = brokerProcessIds.Select(ProcessProbe.CpuTime).ToList();
        return new(
            Stopwatch.GetTimestamp(),
            sent,
            received,
            Environment.CpuUsage.TotalTime,
            broker.Count > 0 && broker.All(time => time is not null) ? broker.Aggregate(TimeSpan.Zero, (sum, time) => sum + time!.Value) : null);
    }

    public static double Seconds(UsageSnapshot from, UsageSnapshot to) => (to.Ticks - from.Ticks) / (double)Stopwatch.Frequency;
}
