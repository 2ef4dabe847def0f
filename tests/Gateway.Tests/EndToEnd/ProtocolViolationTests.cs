using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>Whatever breaks the protocol closes the connection, without an answer.</summary>
[Collection(BrokerCollection.Name)]
public sealed class ProtocolViolationTests(BrokerFixture broker)
{
    [Fact]
    public async Task SecondConnectClosesTheConnection()
    {
        var clientId = TestNames.ClientId();
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, clientId);

        await client.SendAsync(new ConnectPacket(ConnectPacket.Mqtt311ProtocolName, ConnectPacket.Mqtt311ProtocolLevel, clientId, true, 60, BrokerFixture.Instance, "alpha-secret"u8.ToArray(), null));

        Assert.True(await client.WaitClosedAsync());
    }

    [Fact]
    public async Task FirstPacketOtherThanConnectClosesTheConnection()
    {
        await using var client = await RawMqttClient.OpenAsync(broker);

        await client.SendAsync(PingReqPacket.Instance);

        Assert.True(await client.WaitClosedAsync());
        await AssertNothingWasSentAsync(client);
    }

    public static TheoryData<string, byte[]> MalformedPackets() => new()
    {
        { "PUBLISH with QoS 3", [0x36, 0x05, 0x00, 0x01, (byte)'a', 0x00, 0x01] },
        { "remaining length with five bytes", [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] },
        { "reserved packet type 0", [0x00, 0x00] },
        { "reserved packet type 15", [0xF0, 0x00] },
        { "SUBSCRIBE with wrong fixed header flags", [0x80, 0x06, 0x00, 0x01, 0x00, 0x01, (byte)'a', 0x00] },
        { "SUBSCRIBE with requested QoS 3", [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, (byte)'a', 0x03] },
        { "PUBLISH with a wildcard in the topic", [0x30, 0x03, 0x00, 0x01, (byte)'#'] },
        { "PUBLISH QoS 0 with DUP", [0x38, 0x03, 0x00, 0x01, (byte)'a'] },
        { "PINGREQ with a body", [0xC0, 0x01, 0x00] },
        { "PUBLISH QoS 1 with packet id 0", [0x32, 0x05, 0x00, 0x01, (byte)'a', 0x00, 0x00] },
        { "SUBSCRIBE without a topic filter", [0x82, 0x02, 0x00, 0x01] },
        { "CONNACK sent by a client", [0x20, 0x02, 0x00, 0x00] },
    };

    [Theory]
    [MemberData(nameof(MalformedPackets))]
    public async Task MalformedPacketAfterConnectClosesTheConnection(string description, byte[] bytes)
    {
        Assert.NotEmpty(description);
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        await client.SendRawAsync(bytes);

        Assert.True(await client.WaitClosedAsync());
        await AssertNothingWasSentAsync(client);
    }

    [Fact]
    public async Task PacketAnnouncingMoreThanTheMaximumSizeIsClosedFromItsFixedHeaderAlone()
    {
        await using var client = await RawMqttClient.ConnectAcceptedAsync(broker, TestNames.ClientId());

        // PUBLISH announcing 256 KiB + 1 byte of body (the default maximum is 256 KiB); not a byte of the body follows.
        await client.SendRawAsync([0x30, 0x81, 0x80, 0x10]);

        Assert.True(await client.WaitClosedAsync());
    }

    private static async Task AssertNothingWasSentAsync(RawMqttClient client) =>
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.ReceiveAsync(TimeSpan.FromSeconds(1)));
}
