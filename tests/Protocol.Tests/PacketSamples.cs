using System.Text;

namespace Broker.Protocol.Tests;

/// <summary>Representative packets of every type, by name, for theories.</summary>
internal static class PacketSamples
{
    public static readonly IReadOnlyDictionary<string, MqttPacket> All = new Dictionary<string, MqttPacket>
    {
        ["CONNECT minimal"] = new ConnectPacket("MQTT", 4, "client-1", true, 60, null, null, null),
        ["CONNECT empty client id"] = new ConnectPacket("MQTT", 4, "", true, 0, null, null, null),
        ["CONNECT user and password"] = new ConnectPacket("MQTT", 4, "c", false, 30, "alice", [1, 2, 0, 255], null),
        ["CONNECT user without password"] = new ConnectPacket("MQTT", 4, "c", false, 30, "bob", null, null),
        ["CONNECT empty password"] = new ConnectPacket("MQTT", 4, "c", false, 30, "bob", [], null),
        ["CONNECT will"] = new ConnectPacket("MQTT", 4, "c", true, 10, null, null, new WillMessage("status/c", Encoding.UTF8.GetBytes("gone"), QualityOfService.AtLeastOnce, true)),
        ["CONNECT will qos 2 empty payload"] = new ConnectPacket("MQTT", 4, "c", true, 10, null, null, new WillMessage("w", [], QualityOfService.ExactlyOnce, false)),
        ["CONNECT everything"] = new ConnectPacket("MQTT", 4, "ünïcødé-客户", false, ushort.MaxValue, "user", [9, 8, 7], new WillMessage("a/b/c", [0, 1, 2], QualityOfService.AtMostOnce, false)),
        ["CONNECT MQTT 3.1"] = new ConnectPacket("MQIsdp", 3, "legacy", true, 60, "u", [1], null),
        ["CONNECT MQTT 3.1 password without user"] = new ConnectPacket("MQIsdp", 3, "legacy", true, 60, null, [1], null),
        ["CONNACK accepted"] = new ConnAckPacket(false, ConnectReturnCode.Accepted),
        ["CONNACK session present"] = new ConnAckPacket(true, ConnectReturnCode.Accepted),
        ["CONNACK not authorized"] = new ConnAckPacket(false, ConnectReturnCode.NotAuthorized),
        ["PUBLISH qos 0"] = new PublishPacket("sensors/1/temp", Encoding.UTF8.GetBytes("21.5"), QualityOfService.AtMostOnce, false, false, 0),
        ["PUBLISH qos 0 retain empty payload"] = new PublishPacket("t", ReadOnlyMemory<byte>.Empty, QualityOfService.AtMostOnce, true, false, 0),
        ["PUBLISH qos 1"] = new PublishPacket("a/b", new byte[] { 1, 2, 3 }, QualityOfService.AtLeastOnce, false, false, 1),
        ["PUBLISH qos 1 dup retain"] = new PublishPacket("a/b", new byte[] { 4 }, QualityOfService.AtLeastOnce, true, true, ushort.MaxValue),
        ["PUBLISH qos 2"] = new PublishPacket("$SYS/x", new byte[300], QualityOfService.ExactlyOnce, false, false, 513),
        ["PUBLISH qos 2 dup"] = new PublishPacket("/leading/slash/", new byte[] { 0 }, QualityOfService.ExactlyOnce, false, true, 7),
        ["PUBACK"] = new PubAckPacket(1),
        ["PUBREC"] = new PubRecPacket(258),
        ["PUBREL"] = new PubRelPacket(ushort.MaxValue),
        ["PUBCOMP"] = new PubCompPacket(42),
        ["SUBSCRIBE one filter"] = new SubscribePacket(1, [new TopicSubscription("a/b", QualityOfService.AtMostOnce)]),
        ["SUBSCRIBE several filters"] = new SubscribePacket(10, [
            new TopicSubscription("a/+/c", QualityOfService.AtLeastOnce),
            new TopicSubscription("#", QualityOfService.ExactlyOnce),
            new TopicSubscription("x/y/#", QualityOfService.AtMostOnce),
            new TopicSubscription("a/#/b", QualityOfService.AtLeastOnce),
        ]),
        ["SUBACK"] = new SubAckPacket(10, [SubscribeReturnCode.GrantedQos1, SubscribeReturnCode.GrantedQos2, SubscribeReturnCode.GrantedQos0, SubscribeReturnCode.Failure]),
        ["UNSUBSCRIBE"] = new UnsubscribePacket(11, ["a/+/c", "#", "plain"]),
        ["UNSUBACK"] = new UnsubAckPacket(11),
        ["PINGREQ"] = PingReqPacket.Instance,
        ["PINGRESP"] = PingRespPacket.Instance,
        ["DISCONNECT"] = DisconnectPacket.Instance,
    };

    public static TheoryData<string> Names => [.. All.Keys];
}
