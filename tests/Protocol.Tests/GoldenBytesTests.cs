using System.Text;

namespace Broker.Protocol.Tests;

/// <summary>Wire bytes written by hand from the MQTT 3.1.1 specification; both directions must match them.</summary>
public class GoldenBytesTests
{
    public static TheoryData<string, string> Cases => new()
    {
        // Spec 3.1.2.10 variable header example (MQTT, level 4, flags CE, keep alive 10) with a small payload.
        { "CONNECT spec example", "10 1A 0004 4D515454 04 CE 000A 0002 6331 0001 77 0001 78 0001 75 0001 70" },
        { "CONNACK session present", "20 02 01 00" },
        { "PUBLISH qos 1", "32 09 0003 612F62 000A 6869" },
        { "PUBLISH qos 0 retain", "31 05 0001 74 6869" },
        { "PUBREL", "62 02 0007" },
        { "SUBSCRIBE", "82 08 0001 0003 612F23 01" },
        { "SUBACK", "90 04 0001 00 80" },
        { "UNSUBSCRIBE", "A2 05 0002 0001 61" },
        { "PINGREQ", "C0 00" },
        { "PINGRESP", "D0 00" },
        { "DISCONNECT", "E0 00" },
    };

    private static readonly Dictionary<string, MqttPacket> Packets = new()
    {
        ["CONNECT spec example"] = new ConnectPacket("MQTT", 4, "c1", true, 10, "u", "p"u8.ToArray(), new WillMessage("w", "x"u8.ToArray(), QualityOfService.AtLeastOnce, false)),
        ["CONNACK session present"] = new ConnAckPacket(true, ConnectReturnCode.Accepted),
        ["PUBLISH qos 1"] = new PublishPacket("a/b", Encoding.ASCII.GetBytes("hi"), QualityOfService.AtLeastOnce, false, false, 10),
        ["PUBLISH qos 0 retain"] = new PublishPacket("t", Encoding.ASCII.GetBytes("hi"), QualityOfService.AtMostOnce, true, false, 0),
        ["PUBREL"] = new PubRelPacket(7),
        ["SUBSCRIBE"] = new SubscribePacket(1, [new TopicSubscription("a/#", QualityOfService.AtLeastOnce)]),
        ["SUBACK"] = new SubAckPacket(1, [SubscribeReturnCode.GrantedQos0, SubscribeReturnCode.Failure]),
        ["UNSUBSCRIBE"] = new UnsubscribePacket(2, ["a"]),
        ["PINGREQ"] = PingReqPacket.Instance,
        ["PINGRESP"] = PingRespPacket.Instance,
        ["DISCONNECT"] = DisconnectPacket.Instance,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void PacketIsWrittenAsTheSpecBytes(string name, string hex)
    {
        Assert.Equal(Wire.Hex(hex), Wire.Serialize(Packets[name]));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SpecBytesAreReadAsThePacket(string name, string hex)
    {
        Assert.Equal(Packets[name], Wire.ReadSingle(Wire.Hex(hex)));
    }
}
