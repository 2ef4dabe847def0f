using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Broker.TestHost;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// The silo that hosts an instance is killed (SIGKILL) while publishers on both gateways send QoS 1 messages and
/// subscribers on both gateways receive them: every message acknowledged to a publisher reaches every subscriber
/// (duplicates are allowed and counted), the subscribers' subscriptions are restored without their reconnecting,
/// retained messages are intact, and publishing resumes within a bound.
/// </summary>
public sealed class SiloCrashUnderLoadTests(ITestOutputHelper output)
{
    private const int MessagesBeforeTheKill = 100;
    private const int MessagesAfterTheKill = 100;
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EveryAcknowledgedMessageReachesEverySubscriberAndPublishingResumesWithinTheBound()
    {
        await using var cluster = await DoomedSilo.StartAsync();
        var (doomed, gatewayA, gatewayB, mqttA, mqttB) = (cluster.Doomed, cluster.GatewayA, cluster.GatewayB, cluster.MqttA, cluster.MqttB);
        await using var subscriberA = await LoadSubscriber.ConnectAsync(mqttA);
        await using var subscriberB = await LoadSubscriber.ConnectAsync(mqttB);
        await using (var retainer = await MqttTestClient.ConnectAsync("127.0.0.1", mqttA, ClusterProcesses.Client()))
        {
            await retainer.PublishAsync("kept/state", "before the crash", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        }

        var survivor = await cluster.StartSurvivorAsync();

        using var stop = new CancellationTokenSource();
        var publishers = new[] { new LoadPublisher("a", mqttA), new LoadPublisher("b", mqttB) };
        var publishing = publishers.Select(publisher => publisher.RunAsync(stop.Token)).ToArray();
        await Task.WhenAll(publishers.Select(publisher => publisher.WaitForAcknowledgedAsync(MessagesBeforeTheKill)));

        await doomed.KillAsync();
        var sinceKill = Stopwatch.StartNew();
        var ackedAtKill = publishers.Select(publisher => publisher.AcknowledgedCount).ToArray();
        await Task.WhenAll(publishers.Select((publisher, i) => publisher.WaitForAcknowledgedAsync(ackedAtKill[i] + MessagesAfterTheKill)))
            .WaitAsync(TimeSpan.FromSeconds(90));
        await stop.CancelAsync();
        await Task.WhenAll(publishing);

        var recovery = publishers.Max(publisher => publisher.LongestWait);
        var acknowledged = publishers.SelectMany(publisher => publisher.Acknowledged.Select(n => $"{publisher.Name}:{n}")).ToHashSet();
        foreach (var subscriber in new[] { subscriberA, subscriberB })
        {
            await subscriber.WaitForAllAsync(acknowledged, DrainTimeout);
        }

        output.WriteLine($"acknowledged {acknowledged.Count}; killed after {ackedAtKill.Sum()}; longest wait for an acknowledgement {recovery.TotalSeconds:F1} s; " +
            $"publisher reconnects {publishers.Sum(p => p.Reconnects)}; duplicates received: A {subscriberA.Duplicates}, B {subscriberB.Duplicates}");
        foreach (var (label, process) in new[] { ("gateway A", gatewayA), ("gateway B", gatewayB), ("surviving silo", survivor) })
        {
            output.WriteLine($"{label} wrote:\n{string.Join('\n', process.Lines)}");
        }

        Assert.Empty(acknowledged.Except(subscriberA.Received));
        Assert.Empty(acknowledged.Except(subscriberB.Received));
        Assert.True(subscriberA.Client.Client.IsConnected && subscriberB.Client.Client.IsConnected, "a subscriber lost its connection");
        Assert.InRange(recovery, TimeSpan.Zero, RecoveryBound);

        await using var late = await MqttTestClient.ConnectAsync("127.0.0.1", mqttB, ClusterProcesses.Client());
        await late.SubscribeAsync("kept/#");
        Assert.Equal(new ReceivedMessage("kept/state", "before the crash", MqttQualityOfServiceLevel.AtLeastOnce, true), await late.ReceiveAsync());
        Assert.Empty(gatewayA.FailureLines);
        Assert.Empty(gatewayB.FailureLines);
        Assert.Empty(survivor.FailureLines);
    }

    [Fact]
    public async Task MessagesOfPublishersThatConnectOnlyAfterTheKillReachTheSubscriberOnTheOtherGateway()
    {
        const int Messages = 20;
        await using var cluster = await DoomedSilo.StartAsync();
        await using var subscriber = await LoadSubscriber.ConnectAsync(cluster.MqttB);
        await cluster.StartSurvivorAsync();

        // No connection on A survives the kill to restore into the new activation: only the instance's record of
        // gateway B makes it wait for B's subscription before it routes (and acknowledges) the first message.
        await cluster.Doomed.KillAsync();
        var acknowledged = new HashSet<string>();
        var sinceKill = Stopwatch.StartNew();
        for (var n = 0; n < Messages; n++)
        {
            await using var client = await ConnectAfterTheKillAsync(cluster.MqttA, sinceKill);
            if ((await client.PublishAsync("load/late", $"{n}")).IsSuccess)
            {
                acknowledged.Add($"late:{n}");
            }
        }

        await subscriber.WaitForAllAsync(acknowledged, DrainTimeout);
        output.WriteLine($"acknowledged {acknowledged.Count} in {sinceKill.Elapsed.TotalSeconds:F1} s after the kill; duplicates {subscriber.Duplicates}");
        Assert.Equal(Messages, acknowledged.Count);
        Assert.Empty(acknowledged.Except(subscriber.Received));
    }

    [Fact]
    public async Task AGatewayOnRecordThatDiedWithTheSiloHoldsQoS1OnlyForTheRestoreWindow()
    {
        var window = TimeSpan.FromSeconds(5);
        var settings = new KeyValuePair<string, string>[] { new("Broker:Lease:RestoreWindow", $"{window}") };
        await using var cluster = await DoomedSilo.StartAsync(settings);
        await using var subscriberA = await LoadSubscriber.ConnectAsync(cluster.MqttA);
        await using var subscriberB = await LoadSubscriber.ConnectAsync(cluster.MqttB);
        var survivor = await cluster.StartSurvivorAsync();

        // Both gateways are on the instance's record; B dies with the silo and never restores.
        await Task.WhenAll(cluster.GatewayB.KillAsync(), cluster.Doomed.KillAsync());
        var sinceKill = Stopwatch.StartNew();
        await using (var publisher = await ConnectAfterTheKillAsync(cluster.MqttA, sinceKill))
        {
            var connected = sinceKill.Elapsed;
            Assert.True((await publisher.PublishAsync("load/held", "after the kill")).IsSuccess);
            var held = sinceKill.Elapsed - connected;
            await subscriberA.WaitForAllAsync(new HashSet<string> { "held:after the kill" }, DrainTimeout);
            await survivor.WaitForLineAsync("(doomed) left the cluster");
            var line = await survivor.WaitForLineAsync("gateways held connections in it");
            output.WriteLine($"connected {connected.TotalSeconds:F1} s after the kill, acknowledged {held.TotalSeconds:F1} s later; the silo said: {line}");
            Assert.Contains("2 gateways", line);

            // Held until the window after the activation had passed (the activation came before the CONNACK), and no longer.
            Assert.True(held < window + TimeSpan.FromSeconds(5), $"the publish was acknowledged {held.TotalSeconds:F1} s after the CONNACK");
        }

        Assert.Empty(cluster.GatewayA.FailureLines);
    }

    /// <summary>A client connected after the kill, tried again while the gateway refuses it, for up to a minute after the kill.</summary>
    private static async Task<MqttTestClient> ConnectAfterTheKillAsync(int mqttPort, Stopwatch sinceKill)
    {
        while (true)
        {
            var (client, code) = await MqttTestClient.TryConnectAsync("127.0.0.1", mqttPort, ClusterProcesses.Client());
            if (client is not null)
            {
                return client;
            }

            Assert.True(sinceKill.Elapsed < TimeSpan.FromSeconds(60), $"CONNECT still refused ({code}) {sinceKill.Elapsed.TotalSeconds:F0} s after the kill");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>
    /// A cluster whose instance is activated while the doomed silo is the only one, so that it is the silo the kill
    /// hits, with two gateways ready; the survivor starts when the test says. Disposing kills what still runs.
    /// </summary>
    private sealed class DoomedSilo : IAsyncDisposable
    {
        private readonly ClusterProcesses _cluster;
        private readonly IEnumerable<KeyValuePair<string, string>>? _settings;
        private readonly List<IAsyncDisposable> _owned = [];

        private DoomedSilo(ClusterProcesses cluster, IEnumerable<KeyValuePair<string, string>>? settings)
        {
            (_cluster, _settings) = (cluster, settings);
            _owned.Add(cluster);
        }

        public BrokerProcess Doomed { get; private set; } = null!;

        public BrokerProcess GatewayA { get; private set; } = null!;

        public BrokerProcess GatewayB { get; private set; } = null!;

        public int MqttA { get; } = FreePort.Next();

        public int MqttB { get; } = FreePort.Next();

        public static async Task<DoomedSilo> StartAsync(IEnumerable<KeyValuePair<string, string>>? settings = null)
        {
            var started = new DoomedSilo(await ClusterProcesses.CreateAsync(), settings);
            try
            {
                started.Doomed = started.Own(started._cluster.StartSilo(FreePort.Next(), FreePort.Next(), Named("doomed", settings)));
                await started.Doomed.WaitForLineAsync("listening");
                var (httpA, httpB) = (FreePort.Next(), FreePort.Next());
                started.GatewayA = started.Own(started._cluster.StartGateway(started.MqttA, httpA));
                started.GatewayB = started.Own(started._cluster.StartGateway(started.MqttB, httpB));
                using var probeA = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpA}") };
                using var probeB = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpB}") };
                await ClusterProcesses.WaitForReadinessAsync([("A", started.GatewayA, probeA), ("B", started.GatewayB, probeB)], HttpStatusCode.OK, TimeSpan.FromSeconds(60));
                return started;
            }
            catch
            {
                await started.DisposeAsync();
                throw;
            }
        }

        public async Task<BrokerProcess> StartSurvivorAsync()
        {
            var survivor = Own(_cluster.StartSilo(FreePort.Next(), FreePort.Next(), Named("survivor", _settings)));
            await survivor.WaitForLineAsync("listening");
            return survivor;
        }

        public async ValueTask DisposeAsync()
        {
            // The processes first, in the reverse order of their start, then the cluster's database.
            for (var i = _owned.Count - 1; i >= 0; i--)
            {
                await _owned[i].DisposeAsync();
            }
        }

        private static IEnumerable<KeyValuePair<string, string>> Named(string name, IEnumerable<KeyValuePair<string, string>>? settings) =>
            [new("Broker:Silo:Name", name), .. settings ?? []];

        private BrokerProcess Own(BrokerProcess process)
        {
            _owned.Add(process);
            return process;
        }
    }
}
