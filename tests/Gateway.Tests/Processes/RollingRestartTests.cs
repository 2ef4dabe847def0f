using System.Diagnostics;
using System.Net;
using Broker.TestHost;
using Xunit.Abstractions;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// A rolling restart, as Kubernetes does one: both gateways and then both silos are stopped (SIGTERM) and started
/// again, one at a time, while publishers send QoS 1 messages and reconnect to whichever gateway lets them in. A
/// third gateway that is not restarted holds a subscriber throughout: it receives every message acknowledged to a
/// publisher (duplicates are allowed and counted), every process exits cleanly, and publishing goes on after every
/// step.
/// </summary>
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    private const int MessagesPerStep = 30;
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    [Fact(Skip = "Known defect, issue 12: in one CI run (of four) acknowledged messages were lost after the second silo's graceful stop, behind a 20.9 s restore hold; skipped until it is found and fixed, not to be deleted")]
    public async Task NothingAcknowledgedIsLostWhileBothGatewaysAndBothSilosAreRestartedOneAtATime()
    {
        await using var cluster = await ClusterProcesses.CreateAsync();
        var silos = new List<(int Silo, int Gateway)> { (FreePort.Next(), FreePort.Next()), (FreePort.Next(), FreePort.Next()) };
        var gateways = new List<(int Mqtt, int Http)> { (FreePort.Next(), FreePort.Next()), (FreePort.Next(), FreePort.Next()), (FreePort.Next(), FreePort.Next()) };
        var running = new List<BrokerProcess>();
        try
        {
            var siloProcesses = silos.Select(ports => cluster.StartSilo(ports.Silo, ports.Gateway)).ToList();
            running.AddRange(siloProcesses);
            foreach (var silo in siloProcesses)
            {
                await silo.WaitForLineAsync("listening");
            }

            var gatewayProcesses = new List<BrokerProcess>();
            foreach (var (mqtt, http) in gateways)
            {
                gatewayProcesses.Add(await StartGatewayAsync(cluster, mqtt, http));
                running.Add(gatewayProcesses[^1]);
            }

            // The witness is on the third gateway, which stays up; the publishers use the first two.
            await using var witness = await LoadSubscriber.ConnectAsync(gateways[2].Mqtt);
            var publishers = new[] { new LoadPublisher("a", gateways[0].Mqtt, gateways[1].Mqtt), new LoadPublisher("b", gateways[1].Mqtt, gateways[0].Mqtt) };
            using var stop = new CancellationTokenSource();
            var publishing = publishers.Select(publisher => publisher.RunAsync(stop.Token)).ToArray();
            var steps = new List<string>();
            try
            {
                await ProgressAsync(publishers, "before the restarts");
                var restarts = new (string Name, BrokerProcess Process, Func<Task<BrokerProcess>> Replace)[]
                {
                    ("gateway A", gatewayProcesses[0], () => StartGatewayAsync(cluster, gateways[0].Mqtt, gateways[0].Http)),
                    ("gateway B", gatewayProcesses[1], () => StartGatewayAsync(cluster, gateways[1].Mqtt, gateways[1].Http)),
                    ("silo 1", siloProcesses[0], () => StartSiloAsync(cluster, silos[0])),
                    ("silo 2", siloProcesses[1], () => StartSiloAsync(cluster, silos[1])),
                };
                foreach (var (name, process, replace) in restarts)
                {
                    var started = Stopwatch.StartNew();
                    await process.TerminateAsync();
                    Assert.Equal(0, await process.WaitForExitAsync());
                    var stopped = started.Elapsed;
                    running.Add(await replace());
                    var back = started.Elapsed;
                    await ProgressAsync(publishers, $"after restarting {name}");
                    steps.Add($"{name}: stopped in {stopped.TotalSeconds:F1} s, back after {back.TotalSeconds:F1} s, {MessagesPerStep} more acknowledged after {started.Elapsed.TotalSeconds:F1} s");
                }
            }
            finally
            {
                await stop.CancelAsync();
                await Task.WhenAll(publishing);
            }

            var acknowledged = publishers.SelectMany(publisher => publisher.Acknowledged.Select(n => $"{publisher.Name}:{n}")).ToHashSet();
            await witness.WaitForAllAsync(acknowledged, DrainTimeout);
            output.WriteLine(string.Join('\n', steps));
            output.WriteLine($"acknowledged {acknowledged.Count}; longest wait for an acknowledgement {publishers.Max(p => p.LongestWait).TotalSeconds:F1} s; "
                + $"publisher reconnects {publishers.Sum(p => p.Reconnects)}; duplicates received {witness.Duplicates}");
            Assert.Empty(acknowledged.Except(witness.Received));
            Assert.True(witness.Client.Client.IsConnected, "the witness lost its connection");
            Assert.Empty(running.SelectMany(process => process.FailureLines));
        }
        finally
        {
            foreach (var process in running)
            {
                await process.DisposeAsync();
            }
        }
    }

    private static async Task<BrokerProcess> StartGatewayAsync(ClusterProcesses cluster, int mqtt, int http)
    {
        var gateway = cluster.StartGateway(mqtt, http);
        using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
        await ClusterProcesses.WaitForReadinessAsync([($"on {mqtt}", gateway, probe)], HttpStatusCode.OK, StepTimeout);
        return gateway;
    }

    private static async Task<BrokerProcess> StartSiloAsync(ClusterProcesses cluster, (int Silo, int Gateway) ports)
    {
        var silo = cluster.StartSilo(ports.Silo, ports.Gateway);
        await silo.WaitForLineAsync("listening");
        return silo;
    }

    /// <summary>Waits until every publisher had <see cref="MessagesPerStep"/> more messages acknowledged.</summary>
    private static async Task ProgressAsync(LoadPublisher[] publishers, string when)
    {
        var marks = publishers.Select(publisher => publisher.AcknowledgedCount).ToArray();
        try
        {
            await Task.WhenAll(publishers.Select((publisher, i) => publisher.WaitForAcknowledgedAsync(marks[i] + MessagesPerStep))).WaitAsync(StepTimeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"publishing stalled {when}: acknowledged {string.Join(", ", publishers.Select(p => $"{p.Name} {p.AcknowledgedCount}"))}, from {string.Join(", ", marks)}");
        }
    }
}
