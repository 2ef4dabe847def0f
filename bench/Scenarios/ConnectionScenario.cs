using System.Net;
using System.Net.Sockets;
using Broker.Bench.Load;
using Broker.Bench.Measurement;
using Broker.Bench.Targets;

namespace Broker.Bench.Scenarios;

/// <summary>
/// Opens C idle MQTT connections (CONNECT with keep-alive 0, so the broker never expects a ping) and reports how
/// many the broker accepted per second and its resident memory per connection: over all of them, and over those
/// after the first tenth, which leaves out what the broker sets up once (the accept rate and CPU are those of the
/// last nine tenths). One source address has about
/// 28k ephemeral ports, so beyond <see cref="ConnectionsPerSourceAddress"/> the sockets are bound round-robin to
/// 127.0.0.2, 127.0.0.3, ... The connections take turns over the broker's gateways and instances
/// (<see cref="ClientSpread.Connection"/>), and its memory is that of all its processes.
/// </summary>
public static class ConnectionScenario
{
    public const int ConnectionsPerSourceAddress = 20_000;

    /// <summary>File descriptors beyond the sockets: the runtime, the broker's own when it runs in this process, ...</summary>
    public const int DescriptorMargin = 1_000;

    private const int ConnectConcurrency = 64;

    public static async Task<ScenarioResult> RunAsync(ScenarioSettings settings, BrokerEndpoint broker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(broker);
        CheckOpenFilesLimit(settings.Connections);

        var sources = SourceAddresses(settings.Connections);
        var sockets = new Socket?[settings.Connections];
        var runId = Random.Shared.Next(0x10000, 0xFFFFF).ToString("x");
        var errors = 0;
        string? firstError = null;
        var rssBefore = Resident(broker);
        try
        {
            async Task ConnectAsync(int from, int to) =>
                await Parallel.ForEachAsync(
                    Enumerable.Range(from, to - from),
                    new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency, CancellationToken = cancellationToken },
                    async (i, token) =>
                    {
                        try
                        {
                            var (gateway, instance) = ClientSpread.Connection(i, broker.Gateways.Count, broker.Instances.Count);
                            sockets[i] = await MqttHandshake.ConnectAsync(
                                broker.Gateways[gateway], $"bench-{runId}-conn-{i}", sources.Length == 0 ? null : sources[i % sources.Length], token, broker.Instances[instance]);
                        }
                        catch (Exception exception) when (exception is SocketException or BenchException or IOException)
                        {
                            if (Interlocked.Increment(ref errors) == 1)
                            {
                                firstError = exception.Message;
                            }
                        }
                    });

            // The first connections also pay for what a broker sets up once (code compiled on first use, threads,
            // buffer pools); the memory the rest add is what an idle connection costs. The broker finishes its
            // per-connection work (registrations, buffers) before its memory is read.
            var firstPart = FirstPart(settings.Connections);
            await ConnectAsync(0, firstPart);
            var acceptedFirst = sockets.Count(socket => socket is not null);
            await Task.Delay(settings.Warmup, cancellationToken);
            var rssFirst = Resident(broker);

            var first = UsageSnapshot.Take(0, 0, broker.ProcessIds);
            await ConnectAsync(firstPart, settings.Connections);
            var last = UsageSnapshot.Take(0, 0, broker.ProcessIds);
            var accepted = sockets.Count(socket => socket is not null);
            await Task.Delay(settings.Warmup, cancellationToken);
            var rssAfter = Resident(broker);

            var seconds = UsageSnapshot.Seconds(first, last);
            var metrics = new List<Metric>
            {
                new("connections requested", settings.Connections.ToString("N0")),
                Metric.Number("connections accepted", accepted, "N0"),
                Metric.Number("accepted (conn/s)", (accepted - acceptedFirst) / seconds, "N0"),
                new("broker RSS before (MB)", Megabytes(rssBefore)),
                new($"broker RSS after {firstPart:N0} (MB)", Megabytes(rssFirst)),
                new("broker RSS after (MB)", Megabytes(rssAfter)),
                PerConnection("broker memory per connection (KB)", rssBefore, rssAfter, accepted),
                PerConnection($"  beyond the first {firstPart:N0} (KB)", rssFirst, rssAfter, accepted - acceptedFirst),
            };
            var warnings = new List<string>();
            CpuReport.Add(metrics, warnings, first, last, broker);
            if (errors > 0)
            {
                warnings.Add($"{errors:N0} connections failed; the first: {firstError}");
            }

            return new ScenarioResult
            {
                Target = broker.Name,
                Settings = settings,
                ConnectionsAccepted = accepted,
                Metrics = metrics,
                Warnings = warnings,
            };
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket?.Dispose();
            }
        }
    }

    /// <summary>How many connections come first, to let the broker set up what it needs once: a tenth.</summary>
    public static int FirstPart(int connections) => Math.Max(1, connections / 10);

    /// <summary>The resident memory of all the broker's processes together; null unless every one can be read.</summary>
    private static long? Resident(BrokerEndpoint broker)
    {
        var resident = broker.ProcessIds.Select(ProcessProbe.ResidentBytes).ToList();
        return resident.Count > 0 && resident.All(bytes => bytes is not null) ? resident.Sum() : null;
    }

    private static string Megabytes(long? bytes) => bytes is { } value ? $"{value / 1e6:N1}" : "n/a";

    private static Metric PerConnection(string name, long? before, long? after, int connections) =>
        before is { } from && after is { } to && connections > 0
            ? Metric.Number(name, (to - from) / 1024.0 / connections, "N2")
            : new Metric(name, "n/a (no broker process id)");

    /// <summary>Fails with the fix in the message when the sockets would not fit under RLIMIT_NOFILE.</summary>
    public static void CheckOpenFilesLimit(int connections)
    {
        var limit = ProcessProbe.OpenFilesLimit();
        if (limit is { } value && connections + DescriptorMargin > value)
        {
            throw new BenchException(
                $"conn: {connections:N0} connections need about {connections + DescriptorMargin:N0} open files, but `ulimit -n` is {value:N0}. "
                + "Raise it in the shell that runs the benchmark, e.g. `ulimit -n 1048576` (a broker the tool starts inherits it; "
                + "an already running broker needs its own limit raised too).");
        }
    }

    /// <summary>The loopback addresses to bind client sockets to; empty when the default source has enough ports.</summary>
    public static IPAddress[] SourceAddresses(int connections)
    {
        if (connections <= ConnectionsPerSourceAddress)
        {
            return [];
        }

        var count = (connections + ConnectionsPerSourceAddress - 1) / ConnectionsPerSourceAddress;
        return [.. Enumerable.Range(2, count).Select(i => new IPAddress(new byte[] { 127, 0, 0, (byte)i }))];
    }
}
