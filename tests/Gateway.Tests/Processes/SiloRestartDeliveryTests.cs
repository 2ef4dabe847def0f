using System.Diagnostics;
using System.Globalization;
using System.Net;
using Broker.TestHost;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// The only silo of a cluster is killed (SIGKILL) while two gateways carry traffic, and started again on the same
/// ports (blocker D1): once both gateways are ready again, delivery across the gateways resumes within seconds, for
/// new subscribers and for subscribers whose connection survived the outage, and from then on no message is lost.
/// </summary>
public sealed class SiloRestartDeliveryTests
{
    private const int ConsecutiveMessages = 5;
    private static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan NextMessageTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PublishPeriod = TimeSpan.FromMilliseconds(100);

    private readonly int _siloPort = FreePort.Next();
    private readonly int _siloGatewayPort = FreePort.Next();
    private readonly string _topic = $"{TestNames.Topic()}/count";

    [Theory]
    [InlineData("Push")]
    public async Task AfterTheOnlySiloIsKilledAndStartedAgainDeliveryAcrossGatewaysResumesWithinSecondsAndLosesNothingMore(string provider)
    {
        await using var cluster = await ClusterProcesses.CreateAsync();
        await using var silo = StartSilo(cluster, provider);
        var (mqttA, httpA, mqttB, httpB) = (FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next());
        await using var gatewayA = StartGateway(cluster, provider, mqttA, httpA);
        await using var gatewayB = StartGateway(cluster, provider, mqttB, httpB);
        await gatewayA.WaitForLineAsync("Connected to the cluster: serving clients");
        await gatewayB.WaitForLineAsync("Connected to the cluster: serving clients");
        using var httpOfA = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpA}") };
        using var httpOfB = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpB}") };
        var gateways = new[] { ("A", gatewayA, httpOfA), ("B", gatewayB, httpOfB) };

        // Before the crash the path works: published on A, received on B and on A.
        await using var earlierOnB = await MqttTestClient.ConnectAsync("127.0.0.1", mqttB, ClusterProcesses.Client());
        await earlierOnB.SubscribeAsync(_topic);
        await using var earlierOnA = await MqttTestClient.ConnectAsync("127.0.0.1", mqttA, ClusterProcesses.Client());
        await earlierOnA.SubscribeAsync(_topic);
        await using (var publisher = await MqttTestClient.ConnectAsync("127.0.0.1", mqttA, ClusterProcesses.Client()))
        {
            Assert.True((await publisher.PublishAsync(_topic, "before the crash")).IsSuccess);
        }

        Assert.Equal((_topic, "before the crash"), Content(await earlierOnB.ReceiveAsync()));
        Assert.Equal((_topic, "before the crash"), Content(await earlierOnA.ReceiveAsync()));

        await silo.KillAsync();
        await ClusterProcesses.WaitForReadinessAsync(gateways, HttpStatusCode.ServiceUnavailable, ReadinessTimeout);
        await using var restarted = StartSilo(cluster, provider);
        await ClusterProcesses.WaitForReadinessAsync(gateways, HttpStatusCode.OK, ReadinessTimeout);
        var sinceReady = Stopwatch.StartNew();

        // Subscribers on both gateways, new ones and those from before the crash whose connection survived it.
        await using var laterOnB = await ClusterProcesses.ConnectWhenServedAsync(mqttB, ReadinessTimeout);
        await laterOnB.SubscribeAsync(_topic);
        // Each gateway's cluster client may still lack a silo connection for a moment after readiness: both first CONNECTs are tried again.
        await using var laterOnA = await ClusterProcesses.ConnectWhenServedAsync(mqttA, ReadinessTimeout);
        await laterOnA.SubscribeAsync(_topic);
        var subscribers = new List<(string Name, MqttTestClient Client)>
        {
            ("a new subscriber on B", laterOnB),
            ("a new subscriber on A", laterOnA),
        };
        var survivors = new List<string>();
        foreach (var (name, client) in new[] { ("the subscriber on B from before the crash", earlierOnB), ("the subscriber on A from before the crash", earlierOnA) })
        {
            if (client.Client.IsConnected)
            {
                subscribers.Add((name, client));
                survivors.Add(name);
            }
        }

        // A publisher on A sends numbered messages every 100 ms or so, reconnecting when it loses its connection.
        using var stopPublishing = new CancellationTokenSource();
        var published = new List<int>();
        var publishFailures = new List<string>();
        var publishing = PublishNumbersAsync(mqttA, published, publishFailures, stopPublishing.Token);
        string Report()
        {
            lock (published)
            {
                var failures = publishFailures.Count == 0 ? "none" : string.Join("; ", publishFailures.TakeLast(5));
                return $"The publisher on A had {published.Count} messages acknowledged (last: {published.LastOrDefault()}), "
                    + $"{publishFailures.Count} publishes or connections failed (latest: {failures})";
            }
        }

        try
        {
            var firsts = await Task.WhenAll(subscribers.Select(subscriber => FirstNumberAsync(subscriber.Client, subscriber.Name, sinceReady)));
            var outcome = string.Join("; ", subscribers.Zip(firsts, (subscriber, first) => first is { } received
                ? $"{subscriber.Name} received message {received.Number} {received.After.TotalSeconds:F1} s after /readyz answered 200"
                : $"{subscriber.Name} received nothing"));
            Assert.True(
                firsts.All(first => first is not null),
                $"Delivery did not resume within {RecoveryDeadline.TotalSeconds:F0} s after both gateways' /readyz answered 200 again "
                + $"following the silo's restart (Broker:Streams:Provider={provider}): {outcome}. Connections from before the crash "
                + $"that survived it: {(survivors.Count == 0 ? "none" : string.Join(", ", survivors))}. {Report()}. "
                + $"Gateway A exited: {gatewayA.HasExited}, gateway B exited: {gatewayB.HasExited}.{FailureLines(gatewayA, gatewayB, restarted)}");

            // A subscription made after the restart gets everything published after its SUBACK: here, from message 1.
            foreach (var ((name, _), first) in subscribers.Zip(firsts).Take(2))
            {
                Assert.True(first!.Value.Number == 1, $"{name} subscribed before message 1 was published, but its first message was {first.Value.Number}. {outcome}. {Report()}.");
            }

            // From the first message on, every later one arrives, in order.
            foreach (var ((name, client), first) in subscribers.Zip(firsts))
            {
                var expected = Enumerable.Range(first!.Value.Number + 1, ConsecutiveMessages).ToList();
                var received = new List<int>();
                try
                {
                    while (received.Count < ConsecutiveMessages)
                    {
                        received.Add(Number(await client.ReceiveAsync(NextMessageTimeout), name));
                    }
                }
                catch (TimeoutException)
                {
                    Assert.Fail($"{name} received messages {string.Join(", ", received)} after message {first.Value.Number}, then "
                        + $"nothing within {NextMessageTimeout.TotalSeconds:F0} s; expected {string.Join(", ", expected)}. {Report()}.");
                }

                Assert.True(
                    expected.SequenceEqual(received),
                    $"{name} received messages {string.Join(", ", received)} after message {first.Value.Number}; expected {string.Join(", ", expected)}. {Report()}.");
            }
        }
        finally
        {
            // The publisher stops, also when an assertion failed, before the gateways are killed.
            await stopPublishing.CancelAsync();
            await publishing;
        }

        Assert.False(gatewayA.HasExited);
        Assert.False(gatewayB.HasExited);
    }

    /// <summary>
    /// Publishes 1, 2, 3… at QoS 1 to the topic through the gateway on <paramref name="mqttPort"/> until stopped,
    /// noting which were acknowledged and what failed; a lost connection is made again.
    /// </summary>
    private async Task PublishNumbersAsync(int mqttPort, List<int> published, List<string> failures, CancellationToken stop)
    {
        MqttTestClient? publisher = null;
        try
        {
            for (var number = 1; !stop.IsCancellationRequested; number++)
            {
                try
                {
                    if (publisher is null || !publisher.Client.IsConnected)
                    {
                        if (publisher is not null)
                        {
                            await publisher.DisposeAsync();
                        }

                        publisher = null;
                        var (connected, code) = await MqttTestClient.TryConnectAsync("127.0.0.1", mqttPort, ClusterProcesses.Client());
                        publisher = connected ?? throw new InvalidOperationException($"CONNACK {code}");
                    }

                    var result = await publisher.PublishAsync(_topic, number.ToString(CultureInfo.InvariantCulture));
                    lock (published)
                    {
                        if (result.IsSuccess)
                        {
                            published.Add(number);
                        }
                        else
                        {
                            failures.Add($"message {number}: PUBACK {result.ReasonCode}");
                        }
                    }
                }
                catch (Exception exception)
                {
                    lock (published)
                    {
                        failures.Add($"message {number}: {exception.GetType().Name}: {exception.Message}");
                    }
                }

                try
                {
                    await Task.Delay(PublishPeriod, stop);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
        finally
        {
            if (publisher is not null)
            {
                await publisher.DisposeAsync();
            }
        }
    }

    /// <summary>The number of the first message a subscriber receives, and when, or null after the recovery deadline.</summary>
    private static async Task<(int Number, TimeSpan After)?> FirstNumberAsync(MqttTestClient subscriber, string name, Stopwatch sinceReady)
    {
        var left = RecoveryDeadline - sinceReady.Elapsed;
        if (left <= TimeSpan.Zero)
        {
            return null;
        }

        try
        {
            var message = await subscriber.ReceiveAsync(left);
            return (Number(message, name), sinceReady.Elapsed);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private static int Number(ReceivedMessage message, string subscriber) =>
        int.TryParse(message.Payload, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new InvalidOperationException($"{subscriber} received '{message.Payload}' on {message.Topic}, not a numbered message");

    private static (string, string) Content(ReceivedMessage message) => (message.Topic, message.Payload);

    private BrokerProcess StartSilo(ClusterProcesses cluster, string provider) =>
        cluster.StartSilo(_siloPort, _siloGatewayPort, [new("Broker:Streams:Provider", provider)]);

    private static BrokerProcess StartGateway(ClusterProcesses cluster, string provider, int mqttPort, int httpPort) =>
        cluster.StartGateway(mqttPort, httpPort, [new("Broker:Streams:Provider", provider)]);

    private static string FailureLines(BrokerProcess gatewayA, BrokerProcess gatewayB, BrokerProcess silo)
    {
        var lines = new[] { ("gateway A", gatewayA), ("gateway B", gatewayB), ("the restarted silo", silo) }
            .Where(process => process.Item2.FailureLines.Count > 0)
            .Select(process => $"\nWhat {process.Item1} logged as failures:\n{string.Join('\n', process.Item2.FailureLines.Take(20))}");
        return string.Concat(lines);
    }
}
