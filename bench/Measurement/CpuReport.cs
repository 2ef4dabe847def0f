using Broker.Bench.Scenarios;
using Broker.Bench.Targets;

namespace Broker.Bench.Measurement;

/// <summary>
/// The CPU rows of a report, so that a saturated load generator is never mistaken for a slow broker. With the
/// broker on the same machine the generator's fair share is half the cores; using more than 85% of that share
/// earns a warning (on a 2-core machine: more than 85% of one core). The broker's CPU is that of all its processes
/// together (a cluster's silos and gateways), and then a row says how many they are.
/// </summary>
public static class CpuReport
{
    public const double WarningShare = 0.85;

    public static void Add(List<Metric> metrics, List<string> warnings, UsageSnapshot first, UsageSnapshot last, BrokerEndpoint broker)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(warnings);
        ArgumentNullException.ThrowIfNull(broker);
        var seconds = UsageSnapshot.Seconds(first, last);
        var cores = Environment.ProcessorCount;
        var generator = (last.GeneratorCpu - first.GeneratorCpu).TotalSeconds / seconds * 100;
        metrics.Add(new("generator CPU (% of a core)", $"{generator:0}"));
        metrics.Add(new($"generator CPU (% of {cores} cores)", $"{generator / cores:0}"));
        double? brokerCpu = first.BrokerCpu is { } before && last.BrokerCpu is { } after
            ? (after - before).TotalSeconds / seconds * 100
            : null;
        metrics.Add(new("broker CPU (% of a core)", brokerCpu is { } b ? $"{b:0}" : "n/a"));
        if (broker.ProcessIds.Count > 1)
        {
            // A cluster's silos and gateways: its CPU and memory rows are the sums over all of them.
            metrics.Add(new("broker processes (CPU, memory summed)", $"{broker.ProcessIds.Count}"));
        }

        var local = broker.Gateways.All(gateway => System.Net.IPAddress.IsLoopback(gateway.Address));
        var share = local ? Math.Max(1, cores / 2) : cores;
        if (generator / 100 > WarningShare * share)
        {
            warnings.Add($"the load generator used {generator:0}% of a core ({generator / cores:0}% of the {cores}-core machine, "
                + $"more than {WarningShare:P0} of its share of {share} core(s)): it may be the bottleneck, not the broker");
        }
    }
}
