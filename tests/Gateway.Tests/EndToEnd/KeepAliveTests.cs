using System.Diagnostics;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>Keep-alive: a client silent for 1.5 times its keep-alive is closed; one that pings is not.</summary>
[Collection(BrokerCollection.Name)]
public sealed class KeepAliveTests(BrokerFixture broker)
{
    [Fact]
    public async Task SilentClientIsClosedAfterOneAndAHalfTimesItsKeepAlive()
    {
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), keepAliveSeconds: 1);
        var silent = Stopwatch.StartNew();

        Assert.True(await client.WaitClosedAsync(TimeSpan.FromSeconds(10)));

        Assert.InRange(silent.Elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task ClientThatPingsWithinItsKeepAliveStaysConnected()
    {
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), keepAliveSeconds: 1);
        var connected = Stopwatch.StartNew();
        var pings = 0;

        while (connected.Elapsed < TimeSpan.FromSeconds(3))
        {
            // Pacing the client like a real one, not synchronising: every ping must be answered.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            await client.SendAsync(PingReqPacket.Instance);
            Assert.IsType<PingRespPacket>(await client.ReceiveAsync(TimeSpan.FromSeconds(2)));
            pings++;
        }

        Assert.False(client.Closed.IsCompleted);
        Assert.InRange(pings, 5, 7);
    }

    [Fact]
    public async Task ClientWithKeepAliveZeroIsNotClosedForSilence()
    {
        await using var silent = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), keepAliveSeconds: 0);
        await using var watched = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId(), keepAliveSeconds: 1);

        // The keep-alive sweep closes the watched client; by then it has looked at the silent one several times.
        Assert.True(await watched.WaitClosedAsync());

        await silent.PingAsync();
    }
}
