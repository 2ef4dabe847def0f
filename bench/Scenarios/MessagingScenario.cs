using System.Diagnostics;
using Broker.Bench.Load;
using Broker.Bench.Measurement;
using Broker.Bench.Targets;
using Broker.Protocol;

namespace Broker.Bench.Scenarios;

/// <summary>
/// Runs p2p, fanout, fanin and latency: connects and subscribes every subscriber first, then starts the
/// publishers together, measures the window after the warm-up, waits for stragglers (the drain), and accounts
/// for every message by publisher and sequence number. Each client connects to the gateway and instance that
/// <see cref="ClientSpread"/> gives it.
/// </summary>
public static class MessagingScenario
{
    private const int ConnectConcurrency = 8;

    public static async Task<ScenarioResult> RunAsync(ScenarioSettings settings, BrokerEndpoint broker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(broker);
        var (topics, filters, routes) = Layout(settings);
        var runId = Random.Shared.Next(0x10000, 0xFFFFF).ToString("x");
        // Each route gets a slot in its publisher's window: the publisher's n-th subscriber reports on slot n.
        var fanOut = new int[topics.Length];
        var slots = filters.Select(_ => Enumerable.Repeat(-1, topics.Length).ToArray()).ToArray();
        foreach (var (subscriber, publisher) in routes)
        {
            slots[subscriber][publisher] = fanOut[publisher]++;
        }

        var windows = topics.Select((_, i) => new FlowWindow(settings.Window, fanOut[i])).ToArray();
        var subscribers = new Subscriber[filters.Length];
        var publishers = new Publisher[topics.Length];
        ReceivePool? receivers = null;
        try
        {
            // Blocking handshakes (see MqttHandshake), a few at a time on pool threads.
            await Parallel.ForEachAsync(
                Enumerable.Range(0, filters.Length),
                new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency, CancellationToken = cancellationToken },
                (i, token) =>
                {
                    var (gateway, instance) = ClientSpread.Subscriber(settings.Kind, i, broker.Gateways.Count, broker.Instances.Count);
                    var socket = MqttHandshake.Connect(broker.Gateways[gateway], $"bench-{runId}-sub-{i}", broker.Instances[instance]);
                    subscribers[i] = new Subscriber(socket, windows, slots[i]);
                    MqttHandshake.Subscribe(socket, filters[i], settings.Qos);
                    MqttHandshake.EndHandshake(socket);
                    return ValueTask.CompletedTask;
                });
            await Parallel.ForEachAsync(
                Enumerable.Range(0, topics.Length),
                new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency, CancellationToken = cancellationToken },
                (i, token) =>
                {
                    var (gateway, instance) = ClientSpread.Publisher(settings.Kind, i, broker.Gateways.Count, broker.Instances.Count);
                    var socket = MqttHandshake.Connect(broker.Gateways[gateway], $"bench-{runId}-pub-{i}", broker.Instances[instance]);
                    MqttHandshake.EndHandshake(socket);
                    publishers[i] = new Publisher(socket, (uint)i, new PacketTemplate(topics[i], settings.PayloadBytes, settings.Qos, settings.Retain), settings.Qos, windows[i]);
                    return ValueTask.CompletedTask;
                });

            // Publishers are read only for their PUBACKs: at QoS 0 the broker sends them nothing.
            var connections = new List<IReceiveConnection>(subscribers);
            if (settings.Qos != QualityOfService.AtMostOnce)
            {
                connections.AddRange(publishers);
            }

            receivers = new ReceivePool(connections, settings.ReceiveThreads > 0 ? settings.ReceiveThreads : ReceivePool.DefaultThreads);

            var frequency = Stopwatch.Frequency;
            var start = Stopwatch.GetTimestamp() + (frequency / 20);
            var measureFrom = start + (long)(settings.Warmup.TotalSeconds * frequency);
            var end = measureFrom + (long)(settings.Duration.TotalSeconds * frequency);
            foreach (var subscriber in subscribers)
            {
                subscriber.MeasureFromTicks = measureFrom;
            }

            var perPublisherRate = settings.Rate / publishers.Length;
            var sending = publishers
                .Select(publisher => publisher.RunAsync(perPublisherRate > 0 ? new PacingSchedule(start, perPublisherRate) { QuantumTicks = (long)(settings.PacingQuantum.TotalSeconds * frequency) } : null, start, end))
                .ToArray();

            await DelayUntilAsync(measureFrom, cancellationToken);
            var first = Snapshot(windows, subscribers, broker);
            await Task.WhenAll(sending);
            var last = Snapshot(windows, subscribers, broker);

            var expected = routes.Sum(route => windows[route.Publisher].Sent);
            var drainUntil = Stopwatch.GetTimestamp() + (long)(settings.Drain.TotalSeconds * frequency);
            while (Stopwatch.GetTimestamp() < drainUntil
                && (subscribers.Sum(s => s.Received) < expected
                    || (settings.Qos != QualityOfService.AtMostOnce && windows.Any(w => w.Acknowledged < w.Sent))))
            {
                await Task.Delay(10, cancellationToken);
            }

            return Summarise(settings, broker, windows, subscribers, publishers, routes, first, last, receivers.Error);
        }
        finally
        {
            foreach (var subscriber in subscribers)
            {
                subscriber?.Disconnect();
            }

            foreach (var publisher in publishers)
            {
                publisher?.Disconnect();
            }

            if (receivers is not null)
            {
                // The shutdowns above end every receive; the stop is for an epoll thread whose sockets did not close.
                receivers.Stop();
                await Task.WhenAny(receivers.Completion, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
            }

            foreach (var subscriber in subscribers)
            {
                subscriber?.Dispose();
            }

            foreach (var publisher in publishers)
            {
                publisher?.Dispose();
            }

            foreach (var window in windows)
            {
                window.Dispose();
            }
        }
    }

    /// <summary>The publishers' topics, the subscribers' filters, and which subscriber receives which publisher.</summary>
    internal static (string[] Topics, string[] Filters, (int Subscriber, int Publisher)[] Routes) Layout(ScenarioSettings settings) =>
        settings.Kind switch
        {
            ScenarioKind.P2p => (
                [.. Enumerable.Range(0, settings.Publishers).Select(i => $"bench/p2p/{i}")],
                [.. Enumerable.Range(0, settings.Publishers).Select(i => $"bench/p2p/{i}")],
                [.. Enumerable.Range(0, settings.Publishers).Select(i => (i, i))]),
            ScenarioKind.Fanout => (
                ["bench/fanout"],
                [.. Enumerable.Repeat("bench/fanout", settings.Subscribers)],
                [.. Enumerable.Range(0, settings.Subscribers).Select(i => (i, 0))]),
            ScenarioKind.Fanin => (
                [.. Enumerable.Range(0, settings.Publishers).Select(i => $"bench/fanin/{i}")],
                ["bench/fanin/+"],
                [.. Enumerable.Range(0, settings.Publishers).Select(i => (0, i))]),
            ScenarioKind.Latency => (["bench/latency"], ["bench/latency"], [(0, 0)]),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Kind, "not a messaging scenario"),
        };

    private static UsageSnapshot Snapshot(FlowWindow[] windows, Subscriber[] subscribers, BrokerEndpoint broker) =>
        UsageSnapshot.Take(windows.Sum(w => w.Sent), subscribers.Sum(s => s.Received), broker.ProcessIds);

    private static ScenarioResult Summarise(
        ScenarioSettings settings,
        BrokerEndpoint broker,
        FlowWindow[] windows,
        Subscriber[] subscribers,
        Publisher[] publishers,
        (int Subscriber, int Publisher)[] routes,
        UsageSnapshot first,
        UsageSnapshot last,
        BenchException? receiveError)
    {
        long lost = 0, duplicated = 0, outOfOrder = 0, expected = 0;
        var lossDetails = new List<string>();
        foreach (var (subscriber, publisher) in routes)
        {
            var sent = windows[publisher].Sent;
            var tracker = subscribers[subscriber].TrackerOf(publisher) ?? new SequenceTracker();
            expected += sent;
            var routeLost = tracker.CountLost(sent, out var firstLost, out var lastLost);
            lost += routeLost;
            if (routeLost > 0 && lossDetails.Count < 5)
            {
                lossDetails.Add($"subscriber {subscriber} lost {routeLost:N0} of publisher {publisher}'s {sent:N0}, numbers {firstLost}..{lastLost}");
            }

            duplicated += tracker.Duplicated;
            outOfOrder += tracker.OutOfOrder;
        }

        var latency = new LatencyHistogram();
        foreach (var subscriber in subscribers)
        {
            latency.Add(subscriber.Latency);
        }

        var seconds = UsageSnapshot.Seconds(first, last);
        var sentRate = (last.Sent - first.Sent) / seconds;
        var receivedRate = (last.Received - first.Received) / seconds;
        var megabytes = settings.PayloadBytes / 1e6;
        var metrics = new List<Metric>
        {
            settings.Rate > 0 ? Metric.Number("offered (msg/s)", settings.Rate, "N0") : new Metric("offered (msg/s)", "max"),
            Metric.Number("sent (msg/s)", sentRate, "N0"),
            Metric.Number("received (msg/s)", receivedRate, "N0"),
            Metric.Number("sent (MB/s)", sentRate * megabytes, "N1"),
            Metric.Number("received (MB/s)", receivedRate * megabytes, "N1"),
            new("lost", lost.ToString("N0")),
            new("duplicated", duplicated.ToString("N0")),
            new("out of order", outOfOrder.ToString("N0")),
        };
        foreach (var (name, percentile) in new[] { ("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("p99.9", 99.9) })
        {
            metrics.Add(Milliseconds($"latency {name} (ms)", latency.GetValueAtPercentile(percentile)));
        }

        metrics.Add(Milliseconds("latency max (ms)", latency.Max));
        var warnings = new List<string>();
        CpuReport.Add(metrics, warnings, first, last, broker);
        if (lost > 0)
        {
            warnings.Add($"{lost:N0} of {expected:N0} expected deliveries were lost (not received {settings.Drain.TotalSeconds:0.#} s after the last send): "
                + string.Join("; ", lossDetails));
        }

        warnings.AddRange(publishers.Where(p => p.Error is not null).Select(p => $"publisher {p.Index}: {p.Error!.Message}"));
        warnings.AddRange(subscribers.Where(s => s.Error is not null).Select(s => $"subscriber: {s.Error!.Message}"));
        if (receiveError is not null)
        {
            warnings.Add($"receive threads: {receiveError.Message}");
        }

        var foreign = subscribers.Sum(s => s.Foreign);
        if (foreign > 0)
        {
            warnings.Add($"{foreign:N0} messages without a stamp of this run were received (another client publishing on bench/...?)");
        }

        return new ScenarioResult
        {
            Target = broker.Name,
            Settings = settings,
            Sent = windows.Sum(w => w.Sent),
            Received = subscribers.Sum(s => s.Received),
            Expected = expected,
            Lost = lost,
            Duplicated = duplicated,
            OutOfOrder = outOfOrder,
            Acknowledged = windows.Sum(w => w.Acknowledged),
            Metrics = metrics,
            Warnings = warnings,
        };
    }

    private static async Task DelayUntilAsync(long ticks, CancellationToken cancellationToken)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), ticks);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }

    private static Metric Milliseconds(string name, long nanoseconds) => Metric.Number(name, nanoseconds / 1e6, "0.000");
}
