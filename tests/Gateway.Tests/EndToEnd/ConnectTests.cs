using System.Text;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>CONNECT handling: protocol versions and client identifiers.</summary>
[Collection(BrokerCollection.Name)]
public sealed class ConnectTests(BrokerFixture broker)
{
    [Fact]
    public async Task EmptyClientIdWithCleanSessionIsAccepted()
    {
        var (client, connAck) = await RawMqttClient.ConnectAsync(broker, clientId: "", cleanSession: true);
        await using (client)
        {
            Assert.Equal(new ConnAckPacket(SessionPresent: false, ConnectReturnCode.Accepted), connAck);
            await client.PingAsync();
        }
    }

    [Fact]
    public async Task TwoClientsWithEmptyClientIdDoNotTakeEachOtherOver()
    {
        await using var first = await RawMqttClient.ConnectAcceptedAsync(broker, clientId: "");
        await using var second = await RawMqttClient.ConnectAcceptedAsync(broker, clientId: "");

        await second.PingAsync();
        await first.PingAsync();
    }

    [Fact]
    public async Task EmptyClientIdWithoutCleanSessionIsRefusedWithIdentifierRejected()
    {
        var (client, connAck) = await RawMqttClient.ConnectAsync(broker, clientId: "", cleanSession: false);
        await using (client)
        {
            Assert.Equal(new ConnAckPacket(SessionPresent: false, ConnectReturnCode.IdentifierRejected), connAck);
            Assert.True(await client.WaitClosedAsync());
        }
    }

    [Fact]
    public async Task Mqtt31ConnectIsAccepted()
    {
        await using var client = await RawMqttClient.OpenAsync(broker);

        await client.SendAsync(new ConnectPacket(
            ConnectPacket.Mqtt31ProtocolName,
            ConnectPacket.Mqtt31ProtocolLevel,
            TestNames.Mqtt31ClientId(),
            CleanSession: true,
            KeepAliveSeconds: 60,
            BrokerFixture.Instance,
            Encoding.UTF8.GetBytes(BrokerFixture.Secret),
            Will: null));

        Assert.Equal(new ConnAckPacket(SessionPresent: false, ConnectReturnCode.Accepted), await client.ReceiveAsync<ConnAckPacket>());
        await client.PingAsync();
    }

    [Theory]
    [InlineData("")]
    [InlineData("abcdefghijklmnopqrstuvwx")]
    public async Task Mqtt31ConnectWithAClientIdOutsideOneTo23CharactersIsRefusedWithIdentifierRejected(string clientId)
    {
        await using var client = await RawMqttClient.OpenAsync(broker);

        await client.SendAsync(new ConnectPacket(
            ConnectPacket.Mqtt31ProtocolName,
            ConnectPacket.Mqtt31ProtocolLevel,
            clientId,
            CleanSession: true,
            KeepAliveSeconds: 60,
            BrokerFixture.Instance,
            Encoding.UTF8.GetBytes(BrokerFixture.Secret),
            Will: null));

        Assert.Equal(new ConnAckPacket(SessionPresent: false, ConnectReturnCode.IdentifierRejected), await client.ReceiveAsync<ConnAckPacket>());
        Assert.True(await client.WaitClosedAsync());
    }

    [Theory]
    [InlineData(ConnectPacket.Mqtt311ProtocolName, 5)]
    [InlineData(ConnectPacket.Mqtt311ProtocolName, 3)]
    [InlineData(ConnectPacket.Mqtt31ProtocolName, 4)]
    public async Task UnknownProtocolLevelIsRefusedWithUnacceptableProtocolVersion(string protocolName, byte level)
    {
        await using var client = await RawMqttClient.OpenAsync(broker);

        await client.SendAsync(new ConnectPacket(protocolName, level, TestNames.ClientId(), true, 60, BrokerFixture.Instance, Encoding.UTF8.GetBytes(BrokerFixture.Secret), null));

        Assert.Equal(new ConnAckPacket(SessionPresent: false, ConnectReturnCode.UnacceptableProtocolVersion), await client.ReceiveAsync<ConnAckPacket>());
        Assert.True(await client.WaitClosedAsync());
    }

    [Fact]
    public async Task Mqtt5ConnectWithPropertiesIsRefusedWithUnacceptableProtocolVersion()
    {
        await using var client = await RawMqttClient.OpenAsync(broker);

        // An MQTT 5 CONNECT: name, level 5, clean start, keep-alive 60, empty properties, client id "c5".
        await client.SendRawAsync([0x10, 0x0F, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x02, (byte)'c', (byte)'5']);

        Assert.Equal(new ConnAckPacket(SessionPresent: false, ConnectReturnCode.UnacceptableProtocolVersion), await client.ReceiveAsync<ConnAckPacket>());
        Assert.True(await client.WaitClosedAsync());
    }

    [Fact]
    public async Task ConnectWithUnknownProtocolNameClosesTheConnection()
    {
        await using var client = await RawMqttClient.OpenAsync(broker);

        await client.SendAsync(new ConnectPacket("MQTX", 4, TestNames.ClientId(), true, 60, null, null, null));

        Assert.True(await client.WaitClosedAsync());
    }
}
