using Broker.Grains;
using Broker.Protocol;

namespace Broker.Gateway.Tests.Connections;

/// <summary>Bad input ends the one connection, is reported to its instance, and never throws out of the engine.</summary>
public sealed class MalformedInputTests
{
    [Fact]
    public async Task ReservedPacketTypeEndsTheConnectionAndIsReportedAsMalformed()
    {
        await using var harness = new ConnectionHarness();
        var session = await harness.ConnectAsync();

        await harness.SendRawAsync([0xF0, 0x00]);

        await harness.EndedAsync();
        Assert.Equal((ErrorCodes.MalformedPacket, (string?)null), await session.Reports.Reader.ReadAsync());
        Assert.False(await session.Left);
    }

    [Fact]
    public async Task PacketLargerThanTheMaximumEndsTheConnectionBeforeItsBodyArrives()
    {
        await using var harness = new ConnectionHarness(options => options.MaxPacketSize = 1024);
        await harness.ConnectAsync();

        // A PUBLISH announcing 16384 bytes, of which none are sent.
        await harness.SendRawAsync([0x30, 0x80, 0x80, 0x01]);

        await harness.EndedAsync();
    }

    [Fact]
    public async Task PublishWithAWildcardTopicEndsTheConnectionAndIsReportedAsAnInvalidTopic()
    {
        await using var harness = new ConnectionHarness();
        var session = await harness.ConnectAsync();

        await harness.SendAsync(new PublishPacket("a/+", "x"u8.ToArray(), QualityOfService.AtMostOnce, Retain: false, Duplicate: false, PacketId: 0));

        await harness.EndedAsync();
        Assert.Equal((ErrorCodes.InvalidTopic, "a/+"), await session.Reports.Reader.ReadAsync());
    }

    [Fact]
    public async Task ClientClosingInsideAPacketEndsTheConnectionUncleanly()
    {
        await using var harness = new ConnectionHarness();
        var session = await harness.ConnectAsync();

        await harness.SendRawAsync([0x30, 0x0A, 0x00]);
        await harness.CloseAsync();

        await harness.EndedAsync();
        Assert.False(await session.Left);
        Assert.Contains(harness.Log.Entries, entry => entry.Message.EndsWith("closed: the client closed the connection inside a packet", StringComparison.Ordinal));
    }
}
