using Broker.Gateway.Routing;
using Broker.Protocol;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Tests.Connections;

/// <summary>The connection engine's CONNECT handling, over in-memory pipes against a fake instance directory.</summary>
public sealed class HandshakeTests
{
    [Fact]
    public async Task AcceptedConnectIsAnsweredWithConnAckAndJoinsTheInstanceWithTheClientsCredentials()
    {
        await using var harness = new ConnectionHarness();

        var session = await harness.ConnectAsync(ConnectionHarness.Connect("sensor-1"));

        Assert.Equal(("instance", "sensor-1"), (session.Instance, session.ClientId));
        Assert.Same(harness.Connection, session.Connection);
    }

    [Fact]
    public async Task RefusedCredentialsGetConnAckNotAuthorizedAndEndTheConnection()
    {
        await using var harness = new ConnectionHarness();

        await harness.SendAsync(ConnectionHarness.Connect(secret: "wrong"));

        Assert.Equal(new ConnAckPacket(SessionPresent: false, ConnectReturnCode.NotAuthorized), await harness.ReceiveAsync());
        await harness.EndedAsync();
    }

    [Fact]
    public async Task ConnectWhileTheInstanceIsUnreachableGetsConnAckServerUnavailableAndLogsOneLineWithoutAStackTrace()
    {
        await using var harness = new ConnectionHarness();
        harness.Directory.Unavailable = _ => new SiloUnavailableException("no silo answers");

        await harness.SendAsync(ConnectionHarness.Connect());

        Assert.Equal(new ConnAckPacket(SessionPresent: false, ConnectReturnCode.ServerUnavailable), await harness.ReceiveAsync());
        await harness.EndedAsync();
        var entry = Assert.Single(harness.Log.Entries, entry => entry.Level >= LogLevel.Information);
        Assert.Null(entry.Exception);
        Assert.Contains("CONNECT refused (ServerUnavailable): instance 'instance' is unavailable", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PacketBeforeConnectEndsTheConnectionWithoutAnAnswer()
    {
        await using var harness = new ConnectionHarness();

        await harness.SendAsync(PingReqPacket.Instance);

        await harness.EndedAsync();
        Assert.Contains(harness.Log.Entries, entry => entry.Message.Contains("protocol violation: PingReq before CONNECT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SecondConnectEndsTheConnectionUncleanly()
    {
        await using var harness = new ConnectionHarness();
        var session = await harness.ConnectAsync();

        await harness.SendAsync(ConnectionHarness.Connect());

        await harness.EndedAsync();
        Assert.False(await session.Left);
    }

    [Fact]
    public async Task DisconnectEndsTheConnectionCleanly()
    {
        await using var harness = new ConnectionHarness();
        var session = await harness.ConnectAsync();

        await harness.SendAsync(DisconnectPacket.Instance);

        await harness.EndedAsync();
        Assert.True(await session.Left);
    }

    [Fact]
    public async Task ClientClosingTheNetworkEndsTheConnectionUncleanly()
    {
        await using var harness = new ConnectionHarness();
        var session = await harness.ConnectAsync();

        await harness.CloseAsync();

        await harness.EndedAsync();
        Assert.False(await session.Left);
    }

    [Fact]
    public async Task WillIsHandedToTheInstanceWithTheNormalisedTopic()
    {
        await using var harness = new ConnectionHarness();
        var will = new WillMessage("/status/gone", "gone"u8.ToArray(), QualityOfService.AtLeastOnce, Retain: true);

        var session = await harness.ConnectAsync(ConnectionHarness.Connect(will: will));

        Assert.Equal(("status/gone", "gone", (byte)1, true), (session.Will!.Topic, System.Text.Encoding.UTF8.GetString(session.Will.Payload), session.Will.Qos, session.Will.Retain));
    }

    [Fact]
    public async Task AReadOnlyClientsWillIsNotKeptForARestore()
    {
        await using var harness = new ConnectionHarness();
        harness.Directory.ReadOnly = true;
        var will = new WillMessage("status", "gone"u8.ToArray(), QualityOfService.AtMostOnce, Retain: false);

        await harness.ConnectAsync(ConnectionHarness.Connect(will: will));

        Assert.Null(((IConnectionSink)harness.Connection).Snapshot().Will);
    }
}
