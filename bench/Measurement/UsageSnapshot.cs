using System.Diagnostics;

namespace Broker.Bench.Measurement;

/// <summary>Counters and CPU times at one instant; two of them give the rates and CPU use of the window between.</summary>
public readonly record struct UsageSnapshot(long Ticks, long Sent, long Received, TimeSpan GeneratorCpu, TimeSpan? BrokerCpu)
{
    public static UsageSnapshot Take(long sent, long received, int? brokerProcessId) => new(
        Stopwatch.GetTimestamp(),
        sent,
        received,
        Environment.CpuUsage.TotalTime,
        brokerProcessId is { } pid ? ProcessProbe.CpuTime(pid) : null);

    public static double Seconds(UsageSnapshot from, UsageSnapshot to) => (to.Ticks - from.Ticks) / (double)Stopwatch.Frequency;
}
