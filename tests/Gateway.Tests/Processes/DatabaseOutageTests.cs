using System.Net;
using Broker.TestHost;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// The cluster's PostgreSQL server stops as a crash stops it and comes back on the same port: meanwhile messages
/// that need no database keep flowing, a retained QoS 1 publish is not acknowledged until its row is written, and
/// once the server is back it is, and the retained message is there for later subscribers.
/// </summary>
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WhileTheDatabaseIsDownMessagesFlowAndARetainedPublishIsAcknowledgedOnlyOnceItIsBack()
    {
        await using var server = await PostgreSqlServer.StartAsync();
        await using var cluster = await ClusterProcesses.CreateAsync(server.ConnectionString);
        await using var silo = cluster.StartSilo(FreePort.Next(), FreePort.Next());
        var (mqtt, http) = (FreePort.Next(), FreePort.Next());
        await using var gateway = cluster.StartGateway(mqtt, http);
        using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
        await ClusterProcesses.WaitForReadinessAsync([("of the test", gateway, probe)], HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        await using var subscriber = await MqttTestClient.ConnectAsync("127.0.0.1", mqtt, ClusterProcesses.Client());
        await subscriber.SubscribeAsync("live/#");
        await using var publisher = await MqttTestClient.ConnectAsync("127.0.0.1", mqtt, ClusterProcesses.Client() with { Timeout = PublishTimeout });
        Assert.True((await publisher.PublishAsync("state/before", "kept", MqttQualityOfServiceLevel.AtLeastOnce, retain: true)).IsSuccess);

        await server.CrashAsync();

        Assert.True((await publisher.PublishAsync("live/during", "no database needed")).IsSuccess);
        Assert.Equal("no database needed", (await subscriber.ReceiveAsync()).Payload);
        var retained = publisher.PublishAsync("state/during", "written once the database is back", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        var early = await Task.WhenAny(retained, Task.Delay(TimeSpan.FromSeconds(3)));
        Assert.NotSame(retained, early);

        await server.RestartAsync();
        Assert.True((await retained.WaitAsync(PublishTimeout)).IsSuccess);

        await using var later = await MqttTestClient.ConnectAsync("127.0.0.1", mqtt, ClusterProcesses.Client());
        await later.SubscribeAsync("state/#");
        Assert.Equal(
            [("state/before", "kept"), ("state/during", "written once the database is back")],
            new[] { await later.ReceiveAsync(), await later.ReceiveAsync() }.Select(m => (m.Topic, m.Payload)).OrderBy(m => m.Topic));
        output.WriteLine($"gateway wrote:\n{string.Join('\n', gateway.Lines)}\nsilo wrote:\n{string.Join('\n', silo.Lines)}");
        Assert.Empty(gateway.FailureLines);
        Assert.Empty(silo.FailureLines);
    }
}
