using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Broker.Grains;
using MQTTnet.Protocol;
using Orleans.Runtime.Placement;
using Xunit.Abstractions;

namespace Broker.Gateway.Tests.Cluster;

/// <summary>
/// The silo that hosts an instance's grain is killed while a QoS 1 publisher publishes through one of two gateways,
/// with a QoS 1 subscriber on each: three silos, the instance placed on a secondary one. The grain comes back on
/// another silo well within the gateways' retry timeout, so the publisher keeps its connection and every message
/// acknowledged to it reaches both subscribers, first time in publish order. A batch the dead activation had routed
/// is routed again by the new one: duplicates are allowed, and counted in the test's output.
/// </summary>
public sealed class SiloFailoverTests(ITestOutputHelper output)
{
    private const string Instance = "failover";
    private const string Secret = "failover-secret";
    private const int BeforeTheKill = 50;
    private const int AfterTheKill = 50;

    /// <summary>Short, so that the gateways restore their connections into the new activation soon, and its hold is short.</summary>
    private static readonly TimeSpan RenewalPeriod = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the grain's new activation holds QoS 1 messages once a gateway restored into it: a renewal period,
    /// plus the 5 s a renewal sent to the dying silo takes to time out, plus one more period.
    /// </summary>
    private static readonly TimeSpan RestoreWindow = TimeSpan.FromSeconds(5) + (2 * RenewalPeriod);

    /// <summary>How long the cluster may take to declare the silo dead, activate the grain again and route again.</summary>
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task EveryMessageAcknowledgedToAPublisherReachesEverySubscriberWhenTheSiloOfItsInstanceIsKilled()
    {
        await using var cluster = await ClusterHost.StartAsync(3, new Dictionary<string, string?>
        {
            [$"Broker:Instances:{Instance}:Tokens:0:Secret"] = Secret,
            ["Broker:Lease:RestoreWindow"] = RestoreWindow.ToString(),
        });
        var gatewaySettings = new Dictionary<string, string?> { ["Broker:Lease:RenewalPeriod"] = RenewalPeriod.ToString() };
        var (portOfA, portOfB) = (FreePort.Next(), FreePort.Next());
        await cluster.StartGatewayAsync(new ListenerPorts(Mqtt: portOfA), settings: gatewaySettings);
        await cluster.StartGatewayAsync(new ListenerPorts(Mqtt: portOfB), settings: gatewaySettings);
        var victim = cluster.Cluster.Silos[1];
        var grain = cluster.Client.GetGrain<IInstanceGrain>(Instance);
        await PlaceAsync(grain, victim.SiloAddress);
        var placed = SiloOf(cluster, grain);

        var topic = $"{TestNames.Topic()}/count";
        await using var subscriberOnA = await ConnectAsync(portOfA);
        await using var subscriberOnB = await ConnectAsync(portOfB);
        await subscriberOnA.SubscribeAsync(topic);
        await subscriberOnB.SubscribeAsync(topic);
        await using var publisher = await ConnectAsync(portOfA);

        using var stop = new CancellationTokenSource();
        var acknowledged = Channel.CreateUnbounded<(int Number, TimeSpan At)>();
        var publishing = PublishNumbersAsync(publisher, topic, acknowledged.Writer, stop.Token);
        var acks = new List<(int Number, TimeSpan At)>();
        try
        {
            await TakeAsync(acknowledged.Reader, acks, BeforeTheKill);
            await cluster.Cluster.KillSiloAsync(victim);
            await TakeAsync(acknowledged.Reader, acks, AfterTheKill);
        }
        finally
        {
            await stop.CancelAsync();
            await publishing;
        }

        while (acknowledged.Reader.TryRead(out var ack))
        {
            acks.Add(ack);
        }

        var numbers = acks.Select(ack => ack.Number).ToList();
        var onA = await ReceiveAllAsync(subscriberOnA, numbers);
        var onB = await ReceiveAllAsync(subscriberOnB, numbers);
        var longestWait = acks.Zip(acks.Skip(1), (earlier, later) => later.At - earlier.At).Max();
        output.WriteLine($"{numbers.Count} messages acknowledged; the longest wait for an acknowledgement was {longestWait.TotalSeconds:F1} s");
        output.WriteLine($"subscriber on A: {onA.Count} received, {onA.Count - onA.Distinct().Count()} duplicates");
        output.WriteLine($"subscriber on B: {onB.Count} received, {onB.Count - onB.Distinct().Count()} duplicates");

        Assert.Equal(victim.SiloAddress, placed);
        Assert.Equal(Enumerable.Range(1, numbers.Count), numbers);
        Assert.False(publisher.Disconnected.IsCompleted, "the publisher lost its connection");
        foreach (var (name, subscriber, received) in new[] { ("A", subscriberOnA, onA), ("B", subscriberOnB, onB) })
        {
            Assert.False(subscriber.Disconnected.IsCompleted, $"the subscriber on {name} lost its connection");
            Assert.Equal(numbers, received.Distinct());
        }

        var movedTo = SiloOf(cluster, grain);
        Assert.NotNull(movedTo);
        Assert.NotEqual(victim.SiloAddress, movedTo);
    }

    /// <summary>Activates the instance's grain on <paramref name="silo"/>, before any client connects to it.</summary>
    private static async Task PlaceAsync(IInstanceGrain grain, SiloAddress silo)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try
        {
            await grain.GetInfo();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }

    private static SiloAddress? SiloOf(ClusterHost cluster, IInstanceGrain grain) =>
        cluster.Cluster.TryGetGrainContext(grain.GetGrainId(), out var context) ? context.Address.SiloAddress : null;

    /// <summary>A client of the gateway on <paramref name="port"/> that waits as long as a recovery may take for the broker's answers.</summary>
    private static Task<MqttTestClient> ConnectAsync(int port) =>
        MqttTestClient.ConnectAsync("127.0.0.1", port, new MqttTestClientOptions { Instance = Instance, Secret = Secret, Timeout = RecoveryTimeout });

    /// <summary>Publishes 1, 2, 3… at QoS 1 one after the other until stopped, writing each acknowledged number with the time it took since the start.</summary>
    private static async Task PublishNumbersAsync(MqttTestClient publisher, string topic, ChannelWriter<(int, TimeSpan)> acknowledged, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            for (var number = 1; !stop.IsCancellationRequested; number++)
            {
                var result = await publisher.PublishAsync(topic, number.ToString(CultureInfo.InvariantCulture), MqttQualityOfServiceLevel.AtLeastOnce);
                if (!result.IsSuccess)
                {
                    throw new InvalidOperationException($"message {number} was answered {result.ReasonCode}");
                }

                acknowledged.TryWrite((number, clock.Elapsed));
            }

            acknowledged.TryComplete();
        }
        catch (Exception exception)
        {
            acknowledged.TryComplete(exception);
        }
    }

    /// <summary>Adds the next <paramref name="count"/> acknowledgements; throws what the publisher failed with, or when they do not come in time.</summary>
    private static async Task TakeAsync(ChannelReader<(int, TimeSpan)> acknowledged, List<(int, TimeSpan)> acks, int count)
    {
        using var timeout = new CancellationTokenSource(RecoveryTimeout);
        for (var i = 0; i < count; i++)
        {
            acks.Add(await acknowledged.ReadAsync(timeout.Token));
        }
    }

    /// <summary>The numbers the subscriber receives, in order, until it has received each of <paramref name="expected"/> at least once.</summary>
    private static async Task<List<int>> ReceiveAllAsync(MqttTestClient subscriber, List<int> expected)
    {
        var missing = expected.ToHashSet();
        var received = new List<int>();
        while (missing.Count > 0)
        {
            ReceivedMessage message;
            try
            {
                message = await subscriber.ReceiveAsync();
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"acknowledged messages {string.Join(", ", missing.Order())} never arrived; received {string.Join(", ", received)}");
            }

            var number = int.Parse(message.Payload, CultureInfo.InvariantCulture);
            received.Add(number);
            missing.Remove(number);
        }

        return received;
    }
}
