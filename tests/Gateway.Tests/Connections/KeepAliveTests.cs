using Broker.Protocol;

namespace Broker.Gateway.Tests.Connections;

/// <summary>Keep-alive and the CONNECT timeout on fake time: the monitor's sweep ends connections silent for too long.</summary>
public sealed class KeepAliveTests
{
    [Fact]
    public async Task ConnectionSilentForOneAndAHalfKeepAlivesIsClosedUncleanlyAndNotBefore()
    {
        await using var harness = new ConnectionHarness();
        var session = await harness.ConnectAsync(ConnectionHarness.Connect(keepAliveSeconds: 10));

        harness.Time.Advance(TimeSpan.FromSeconds(15));
        harness.KeepAliveMonitor.Sweep();
        await harness.SendAsync(PingReqPacket.Instance);
        Assert.Equal(PingRespPacket.Instance, await harness.ReceiveAsync());

        harness.Time.Advance(TimeSpan.FromSeconds(15.1));
        harness.KeepAliveMonitor.Sweep();

        await harness.EndedAsync();
        Assert.False(await session.Left);
        Assert.Contains(harness.Log.Entries, entry => entry.Message.EndsWith("closed: keep-alive timeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeepAliveShorterThanTheMinimumIsRaisedToIt()
    {
        await using var harness = new ConnectionHarness(options => options.Limits.MinKeepAlive = TimeSpan.FromSeconds(20));
        await harness.ConnectAsync(ConnectionHarness.Connect(keepAliveSeconds: 1));

        harness.Time.Advance(TimeSpan.FromSeconds(29));
        harness.KeepAliveMonitor.Sweep();
        await harness.SendAsync(PingReqPacket.Instance);

        Assert.Equal(PingRespPacket.Instance, await harness.ReceiveAsync());
    }

    [Fact]
    public async Task ConnectionWithoutConnectIsClosedAfterTheConnectTimeout()
    {
        await using var harness = new ConnectionHarness(options => options.ConnectTimeout = TimeSpan.FromSeconds(5));

        harness.Time.Advance(TimeSpan.FromSeconds(5.1));
        harness.KeepAliveMonitor.Sweep();

        await harness.EndedAsync();
        Assert.Contains(harness.Log.Entries, entry => entry.Message.EndsWith("closed: no CONNECT in time", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConnectJustBeforeTheConnectTimeoutIsAccepted()
    {
        await using var harness = new ConnectionHarness(options => options.ConnectTimeout = TimeSpan.FromSeconds(5));

        harness.Time.Advance(TimeSpan.FromSeconds(4.9));
        harness.KeepAliveMonitor.Sweep();

        await harness.ConnectAsync();
    }
}
