using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Broker.TestHost;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// Two silos and two gateways, each a process, joined through PostgreSQL: messages cross gateways at every QoS, with
/// retained messages and wildcards; a client id takes over across gateways; clients on both gateways observe one
/// order per instance; a killed gateway's clients have their wills published within the lease and reconnect to the
/// other gateway; and the whole cluster, stopped and started again, still has its instances, tokens and retained
/// messages.
/// </summary>
public sealed class TwoByTwoClusterTests
{
    private const string AdminKey = "cluster-admin-key";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(60);

    private readonly (int Silo, int Gateway)[] _siloPorts = [(FreePort.Next(), FreePort.Next()), (FreePort.Next(), FreePort.Next())];
    private readonly (int Mqtt, int Http)[] _gatewayPorts = [(FreePort.Next(), FreePort.Next()), (FreePort.Next(), FreePort.Next())];

    private int MqttA => _gatewayPorts[0].Mqtt;

    private int MqttB => _gatewayPorts[1].Mqtt;

    [Fact]
    public async Task MessagesAtEveryQosRetainedMessagesAndWildcardsCrossGateways()
    {
        await using var cluster = await ClusterProcesses.CreateAsync();
        await using var running = await StartAsync(cluster);

        await using var subscriber = await MqttTestClient.ConnectAsync("127.0.0.1", MqttB, ClusterProcesses.Client());
        await subscriber.SubscribeAsync("home/+/temperature", MqttQualityOfServiceLevel.ExactlyOnce);
        await subscriber.SubscribeAsync("alarm/#", MqttQualityOfServiceLevel.AtLeastOnce);
        await using var publisher = await MqttTestClient.ConnectAsync("127.0.0.1", MqttA, ClusterProcesses.Client());
        await publisher.PublishAsync("home/kitchen/temperature", "21", MqttQualityOfServiceLevel.AtMostOnce);
        await publisher.PublishAsync("home/hall/temperature", "19", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync("home/cellar/temperature", "12", MqttQualityOfServiceLevel.ExactlyOnce);
        await publisher.PublishAsync("home/cellar/humidity", "not subscribed", MqttQualityOfServiceLevel.ExactlyOnce);
        await publisher.PublishAsync("alarm/door/front", "open", MqttQualityOfServiceLevel.ExactlyOnce, retain: true);

        Assert.Equal(
            [
                new ReceivedMessage("home/kitchen/temperature", "21", MqttQualityOfServiceLevel.AtMostOnce, false),
                new ReceivedMessage("home/hall/temperature", "19", MqttQualityOfServiceLevel.AtLeastOnce, false),
                new ReceivedMessage("home/cellar/temperature", "12", MqttQualityOfServiceLevel.ExactlyOnce, false),
                new ReceivedMessage("alarm/door/front", "open", MqttQualityOfServiceLevel.AtLeastOnce, false),
            ],
            [await subscriber.ReceiveAsync(), await subscriber.ReceiveAsync(), await subscriber.ReceiveAsync(), await subscriber.ReceiveAsync()]);

        // A later subscriber on the other gateway gets the retained message.
        await using var later = await MqttTestClient.ConnectAsync("127.0.0.1", MqttA, ClusterProcesses.Client());
        await later.SubscribeAsync("alarm/+/front", MqttQualityOfServiceLevel.ExactlyOnce);
        Assert.Equal(new ReceivedMessage("alarm/door/front", "open", MqttQualityOfServiceLevel.ExactlyOnce, true), await later.ReceiveAsync());
        running.AssertNoFailureLines();
    }

    [Fact]
    public async Task AClientIdConnectingOnTheOtherGatewayTakesTheSessionOver()
    {
        await using var cluster = await ClusterProcesses.CreateAsync();
        await using var running = await StartAsync(cluster);
        var options = ClusterProcesses.Client();

        await using var first = await MqttTestClient.ConnectAsync("127.0.0.1", MqttA, options);
        await using var second = await MqttTestClient.ConnectAsync("127.0.0.1", MqttB, options);

        await first.Disconnected.WaitAsync(MqttTestClient.DefaultTimeout);
        Assert.True(second.Client.IsConnected);
        await second.SubscribeAsync("taken/over");
        await second.PublishAsync("taken/over", "still here");
        Assert.Equal("still here", (await second.ReceiveAsync()).Payload);
    }

    [Fact]
    public async Task PublishersAndSubscribersOnBothGatewaysObserveOneOrder()
    {
        const int PerPublisher = 200;
        await using var cluster = await ClusterProcesses.CreateAsync();
        await using var running = await StartAsync(cluster);
        await using var onA = await MqttTestClient.ConnectAsync("127.0.0.1", MqttA, ClusterProcesses.Client());
        await using var onB = await MqttTestClient.ConnectAsync("127.0.0.1", MqttB, ClusterProcesses.Client());
        await onA.SubscribeAsync("order/#");
        await onB.SubscribeAsync("order/#");
        await using var publisherA = await MqttTestClient.ConnectAsync("127.0.0.1", MqttA, ClusterProcesses.Client());
        await using var publisherB = await MqttTestClient.ConnectAsync("127.0.0.1", MqttB, ClusterProcesses.Client());

        await Task.WhenAll(PublishNumbered(publisherA, "order/a"), PublishNumbered(publisherB, "order/b"));

        var seenOnA = await ReceiveCountAsync(onA, 2 * PerPublisher);
        var seenOnB = await ReceiveCountAsync(onB, 2 * PerPublisher);
        Assert.Equal(seenOnA, seenOnB);
        foreach (var topic in new[] { "order/a", "order/b" })
        {
            Assert.Equal(Enumerable.Range(0, PerPublisher).Select(n => $"{n}"), seenOnA.Where(m => m.Topic == topic).Select(m => m.Payload));
        }

        static async Task PublishNumbered(MqttTestClient publisher, string topic)
        {
            // Several in flight at once, as a busy client has them: the order is the client's, however they are batched.
            for (var n = 0; n < PerPublisher; n += 10)
            {
                await Task.WhenAll(Enumerable.Range(n, 10).Select(i => publisher.PublishAsync(topic, $"{i}")));
            }
        }
    }

    [Fact]
    public async Task AKilledGatewaysClientsHaveTheirWillsPublishedAndSubscriptionsForgottenWithinTheLeaseAndReconnectToTheOtherGateway()
    {
        await using var cluster = await ClusterProcesses.CreateAsync();
        await using var running = await StartAsync(cluster);
        await using var observer = await MqttTestClient.ConnectAsync("127.0.0.1", MqttB, ClusterProcesses.Client());
        await observer.SubscribeAsync("wills/#");
        var doomed = ClusterProcesses.Client() with { Will = ("wills/doomed", "gone") };
        var victim = await MqttTestClient.ConnectAsync("127.0.0.1", MqttA, doomed);
        await victim.SubscribeAsync("anything/#");

        // The observer's wills/# and the victim's anything/# ($info describes the instance as it was before it is subscribed).
        Assert.Equal((2, 2), await CountsAsync(observer));

        await running.Gateways[0].KillAsync();
        var killed = System.Diagnostics.Stopwatch.StartNew();

        var will = await observer.ReceiveAsync(Lease * 3);
        Assert.Equal(new ReceivedMessage("wills/doomed", "gone", MqttQualityOfServiceLevel.AtMostOnce, false), will);
        Assert.InRange(killed.Elapsed, TimeSpan.Zero, Lease * 2);
        await victim.Disconnected.WaitAsync(MqttTestClient.DefaultTimeout);
        Assert.Equal((1, 1), await CountsAsync(observer));

        // The client comes back on the other gateway with the same client id.
        await using var back = await MqttTestClient.ConnectAsync("127.0.0.1", MqttB, doomed);
        await back.SubscribeAsync("anything/#");
        await observer.PublishAsync("anything/else", "for the client that came back");
        Assert.Equal("for the client that came back", (await back.ReceiveAsync()).Payload);
        await victim.DisposeAsync();
    }

    [Fact]
    public async Task AClusterStoppedAndStartedAgainHasItsInstancesTokensAndRetainedMessages()
    {
        var instance = $"kept{Guid.NewGuid():N}";
        var member = new MqttTestClientOptions { Instance = instance, Secret = "kept-secret", ClientId = TestNames.ClientId() };
        await using var cluster = await ClusterProcesses.CreateAsync();
        await using (var running = await StartAsync(cluster))
        {
            using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_gatewayPorts[1].Http}") };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/admin/instances", new StringContent($$"""{"name":"{{instance}}"}"""))).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/admin/instances/{instance}/tokens", new StringContent("""{"secret":"kept-secret"}"""))).StatusCode);
            await using var publisher = await MqttTestClient.ConnectAsync("127.0.0.1", MqttA, member);
            await publisher.PublishAsync("state/kitchen", "on", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
            await publisher.PublishAsync("state/hall", "off", MqttQualityOfServiceLevel.ExactlyOnce, retain: true);
            await running.StopAsync();
        }

        await using var again = await StartAsync(cluster);
        await using var subscriber = await MqttTestClient.ConnectAsync("127.0.0.1", MqttB, member);
        await subscriber.SubscribeAsync("state/#", MqttQualityOfServiceLevel.ExactlyOnce);
        Assert.Equal(
            [
                new ReceivedMessage("state/hall", "off", MqttQualityOfServiceLevel.ExactlyOnce, true),
                new ReceivedMessage("state/kitchen", "on", MqttQualityOfServiceLevel.AtLeastOnce, true),
            ],
            new[] { await subscriber.ReceiveAsync(), await subscriber.ReceiveAsync() }.OrderBy(message => message.Topic));
    }

    /// <summary>Both silos, then both gateways, ready (each gateway connected to the cluster).</summary>
    private async Task<RunningCluster> StartAsync(ClusterProcesses cluster)
    {
        var lease = new KeyValuePair<string, string>[] { new("Broker:Lease:Duration", $"{Lease}"), new("Broker:Lease:RenewalPeriod", $"{Lease / 3}") };
        var silos = _siloPorts.Select(ports => cluster.StartSilo(ports.Silo, ports.Gateway, lease)).ToList();
        try
        {
            foreach (var silo in silos)
            {
                await silo.WaitForLineAsync("listening");
            }
        }
        catch
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }

            throw;
        }

        var gateways = _gatewayPorts.Select(ports => cluster.StartGateway(ports.Mqtt, ports.Http, [.. lease, new("Broker:Admin:Key", AdminKey)])).ToList();
        var running = new RunningCluster(silos, gateways, _gatewayPorts.Select(ports => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports.Http}") }).ToList());
        try
        {
            await ClusterProcesses.WaitForReadinessAsync(running.Probes, HttpStatusCode.OK, ReadinessTimeout);
            return running;
        }
        catch
        {
            await running.DisposeAsync();
            throw;
        }
    }

    /// <summary>How many connections and subscriptions the instance has, as its <c>$info</c> says.</summary>
    private static async Task<(int Connections, int Subscriptions)> CountsAsync(MqttTestClient client)
    {
        await client.SubscribeAsync("$info");
        var info = await client.ReceiveAsync();
        await client.UnsubscribeAsync("$info");
        Assert.Equal("$info", info.Topic);
        var counts = JsonDocument.Parse(info.Payload).RootElement.GetProperty("counts");
        return (counts.GetProperty("connections").GetInt32(), counts.GetProperty("subscriptions").GetInt32());
    }

    private static async Task<List<ReceivedMessage>> ReceiveCountAsync(MqttTestClient client, int count)
    {
        var received = new List<ReceivedMessage>();
        while (received.Count < count)
        {
            received.Add(await client.ReceiveAsync());
        }

        return received;
    }

    /// <summary>The processes of one start of the cluster; disposing kills what still runs.</summary>
    private sealed class RunningCluster(List<BrokerProcess> silos, List<BrokerProcess> gateways, List<HttpClient> http) : IAsyncDisposable
    {
        public List<BrokerProcess> Silos { get; } = silos;

        public List<BrokerProcess> Gateways { get; } = gateways;

        public IEnumerable<(string Name, BrokerProcess Process, HttpClient Http)> Probes =>
            Gateways.Select((gateway, index) => ($"{(char)('A' + index)}", gateway, http[index]));

        /// <summary>Stops every process as an orchestrator does (SIGTERM), gateways first, and waits for the exits.</summary>
        public async Task StopAsync()
        {
            foreach (var process in Gateways.Concat(Silos))
            {
                await process.TerminateAsync();
                Assert.Equal(0, await process.WaitForExitAsync());
            }
        }

        public void AssertNoFailureLines()
        {
            foreach (var process in Gateways.Concat(Silos))
            {
                Assert.Empty(process.FailureLines);
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var process in Gateways.Concat(Silos))
            {
                await process.DisposeAsync();
            }

            foreach (var client in http)
            {
                client.Dispose();
            }
        }
    }
}
