using System.Buffers;
using static Broker.Protocol.Tests.Wire;

namespace Broker.Protocol.Tests;

/// <summary>One case per rule of the spec the codec enforces; each must throw <see cref="MalformedPacketException"/>.</summary>
public class MalformedPacketTests
{
    private static readonly byte[] MqttName = Str("MQTT");

    public static TheoryData<string, byte[], string> FramingCases => new()
    {
        { "remaining length with a fifth byte", Hex("30 FF FF FF FF 7F"), "remaining length has more than four bytes" },
        { "remaining length with four continuation bytes, before the fifth arrives", Hex("C0 80 80 80 80"), "remaining length has more than four bytes" },
        { "packet type 0", Hex("00 00"), "packet type 0 is reserved" },
        { "packet type 0 seen from its first byte alone", Hex("00"), "packet type 0 is reserved" },
        { "packet type 15", Hex("F0 00"), "packet type 15 is reserved" },
    };

    public static TheoryData<string, byte[], string> FixedHeaderFlagCases => new()
    {
        { "CONNECT flags", Frame(0x11, MqttName, B(4, 0x02), U16(60), Str("c")), "CONNECT: fixed header flags are 0x1, must be 0x0" },
        { "CONNACK flags", Hex("21 02 00 00"), "CONNACK: fixed header flags are 0x1, must be 0x0" },
        { "PUBACK flags", Hex("41 02 00 01"), "PUBACK: fixed header flags are 0x1, must be 0x0" },
        { "PUBREC flags", Hex("52 02 00 01"), "PUBREC: fixed header flags are 0x2, must be 0x0" },
        { "PUBREL flags 0", Hex("60 02 00 01"), "PUBREL: fixed header flags are 0x0, must be 0x2" },
        { "PUBREL flags 3", Hex("63 02 00 01"), "PUBREL: fixed header flags are 0x3, must be 0x2" },
        { "PUBCOMP flags", Hex("78 02 00 01"), "PUBCOMP: fixed header flags are 0x8, must be 0x0" },
        { "SUBSCRIBE flags 0", Frame(0x80, U16(1), Str("a"), B(0)), "SUBSCRIBE: fixed header flags are 0x0, must be 0x2" },
        { "SUBACK flags", Hex("92 03 00 01 00"), "SUBACK: fixed header flags are 0x2, must be 0x0" },
        { "UNSUBSCRIBE flags 0", Frame(0xA0, U16(1), Str("a")), "UNSUBSCRIBE: fixed header flags are 0x0, must be 0x2" },
        { "UNSUBACK flags", Hex("B2 02 00 01"), "UNSUBACK: fixed header flags are 0x2, must be 0x0" },
        { "PINGREQ flags", Hex("C1 00"), "PINGREQ: fixed header flags are 0x1, must be 0x0" },
        { "PINGRESP flags", Hex("D2 00"), "PINGRESP: fixed header flags are 0x2, must be 0x0" },
        { "DISCONNECT flags", Hex("E8 00"), "DISCONNECT: fixed header flags are 0x8, must be 0x0" },
        { "PUBLISH QoS 3", Frame(0x36, Str("a"), U16(1)), "PUBLISH: QoS is 3" },
        { "PUBLISH DUP with QoS 0", Frame(0x38, Str("a")), "PUBLISH: DUP is set on a QoS 0 message" },
    };

    public static TheoryData<string, byte[], string> ConnectCases => new()
    {
        { "unknown protocol name", Frame(0x10, Str("MQTX"), B(4, 0x02), U16(60), Str("c")), "CONNECT: protocol name is neither MQTT nor MQIsdp" },
        { "empty protocol name", Frame(0x10, Str(""), B(4, 0x02), U16(60), Str("c")), "CONNECT: protocol name is neither MQTT nor MQIsdp" },
        { "reserved connect flag", Frame(0x10, MqttName, B(4, 0x03), U16(60), Str("c")), "CONNECT: reserved connect flag (bit 0) is set" },
        { "will QoS without will flag", Frame(0x10, MqttName, B(4, 0x0A), U16(60), Str("c")), "CONNECT: will QoS or will retain is set without the will flag" },
        { "will retain without will flag", Frame(0x10, MqttName, B(4, 0x22), U16(60), Str("c")), "CONNECT: will QoS or will retain is set without the will flag" },
        { "will QoS 3", Frame(0x10, MqttName, B(4, 0x1E), U16(60), Str("c"), Str("w"), Str("x")), "CONNECT: will QoS is 3" },
        { "will topic with a wildcard", Frame(0x10, MqttName, B(4, 0x06), U16(60), Str("c"), Str("w/#"), Str("x")), "CONNECT: will topic is empty or contains a wildcard" },
        { "empty will topic", Frame(0x10, MqttName, B(4, 0x06), U16(60), Str("c"), Str(""), Str("x")), "CONNECT: will topic is empty or contains a wildcard" },
        { "password without user name", Frame(0x10, MqttName, B(4, 0x42), U16(60), Str("c"), Str("p")), "CONNECT: password flag is set without the user name flag" },
        { "bytes after the last field", Frame(0x10, MqttName, B(4, 0x02), U16(60), Str("c"), B(0)), "CONNECT: 1 unexpected bytes after the last field" },
        { "user name flag without user name", Frame(0x10, MqttName, B(4, 0x82), U16(60), Str("c")), "CONNECT: user name length runs past the end of the packet" },
        { "will flag without will", Frame(0x10, MqttName, B(4, 0x06), U16(60), Str("c")), "CONNECT: will topic length runs past the end of the packet" },
        { "missing client id", Frame(0x10, MqttName, B(4, 0x02), U16(60)), "CONNECT: client identifier length runs past the end of the packet" },
        { "missing keep alive", Frame(0x10, MqttName, B(4, 0x02)), "CONNECT: keep alive runs past the end of the packet" },
        { "client id longer than the packet", Frame(0x10, MqttName, B(4, 0x02), U16(60), U16(5), B(0x61)), "CONNECT: client identifier runs past the end of the packet" },
        { "client id with invalid UTF-8", Frame(0x10, MqttName, B(4, 0x02), U16(60), Str(0x61, 0xFF)), "CONNECT: client identifier is not well-formed UTF-8" },
        { "client id with U+0000", Frame(0x10, MqttName, B(4, 0x02), U16(60), Str(0x61, 0x00)), "CONNECT: client identifier contains U+0000" },
        { "user name with an encoded surrogate", Frame(0x10, MqttName, B(4, 0x82), U16(60), Str("c"), Str(0xED, 0xA0, 0x80)), "CONNECT: user name is not well-formed UTF-8" },
        { "user name with an overlong encoding", Frame(0x10, MqttName, B(4, 0x82), U16(60), Str("c"), Str(0xC0, 0xAF)), "CONNECT: user name is not well-formed UTF-8" },
    };

    public static TheoryData<string, byte[], string> PublishCases => new()
    {
        { "QoS 1 packet identifier 0", Frame(0x32, Str("a"), U16(0)), "PUBLISH: packet identifier is 0" },
        { "QoS 2 packet identifier 0", Frame(0x34, Str("a"), U16(0), B(1)), "PUBLISH: packet identifier is 0" },
        { "QoS 1 missing packet identifier", Frame(0x32, Str("a"), B(1)), "PUBLISH: packet identifier runs past the end of the packet" },
        { "topic with +", Frame(0x30, Str("a/+")), "PUBLISH: topic name contains a wildcard" },
        { "topic with #", Frame(0x30, Str("#")), "PUBLISH: topic name contains a wildcard" },
        { "empty topic", Frame(0x30, Str(""), B(1, 2)), "PUBLISH: topic name is empty" },
        { "topic with U+0000", Frame(0x30, Str(0x61, 0x00, 0x62)), "PUBLISH: topic name contains U+0000" },
        { "topic with invalid UTF-8", Frame(0x30, Str(0xC3, 0x28)), "PUBLISH: topic name is not well-formed UTF-8" },
        { "topic longer than the packet", Frame(0x30, U16(10), B(0x61, 0x62)), "PUBLISH: topic name runs past the end of the packet" },
        { "zero remaining length", Hex("30 00"), "PUBLISH: topic name length runs past the end of the packet" },
    };

    public static TheoryData<string, byte[], string> SubscribeCases => new()
    {
        { "SUBSCRIBE packet identifier 0", Frame(0x82, U16(0), Str("a"), B(0)), "SUBSCRIBE: packet identifier is 0" },
        { "SUBSCRIBE without filters", Frame(0x82, U16(1)), "SUBSCRIBE: no topic filter" },
        { "SUBSCRIBE reserved QoS bits", Frame(0x82, U16(1), Str("a"), B(0x04)), "SUBSCRIBE: reserved bits of requested QoS are set (0x04)" },
        { "SUBSCRIBE QoS 3", Frame(0x82, U16(1), Str("a"), B(3)), "SUBSCRIBE: requested QoS is 3" },
        { "SUBSCRIBE empty filter", Frame(0x82, U16(1), Str(""), B(0)), "SUBSCRIBE: topic filter is empty" },
        { "SUBSCRIBE filter without QoS byte", Frame(0x82, U16(1), Str("a"), B(0), Str("b")), "SUBSCRIBE: requested QoS runs past the end of the packet" },
        { "SUBSCRIBE filter with U+0000", Frame(0x82, U16(1), Str(0x61, 0x00), B(0)), "SUBSCRIBE: topic filter contains U+0000" },
        { "UNSUBSCRIBE packet identifier 0", Frame(0xA2, U16(0), Str("a")), "UNSUBSCRIBE: packet identifier is 0" },
        { "UNSUBSCRIBE without filters", Frame(0xA2, U16(1)), "UNSUBSCRIBE: no topic filter" },
        { "UNSUBSCRIBE empty filter", Frame(0xA2, U16(1), Str("a"), Str("")), "UNSUBSCRIBE: topic filter is empty" },
        { "UNSUBSCRIBE trailing byte", Frame(0xA2, U16(1), Str("a"), B(0)), "UNSUBSCRIBE: topic filter length runs past the end of the packet" },
        { "SUBACK return code 3", Hex("90 03 00 01 03"), "SUBACK: return code 0x03 is not defined" },
        { "SUBACK return code 0x81", Hex("90 03 00 01 81"), "SUBACK: return code 0x81 is not defined" },
        { "SUBACK without return codes", Hex("90 02 00 01"), "SUBACK: no return code" },
        { "CONNACK reserved acknowledge flags", Hex("20 02 02 00"), "CONNACK: reserved acknowledge flags are 0x02" },
        { "CONNACK return code 6", Hex("20 02 00 06"), "CONNACK: return code 6 is not defined" },
    };

    public static TheoryData<string, byte[], string> RemainingLengthCases => new()
    {
        { "PINGREQ with a body", Hex("C0 01 00"), "PINGREQ: remaining length is 1, must be 0" },
        { "PINGRESP with a body", Hex("D0 01 00"), "PINGRESP: remaining length is 1, must be 0" },
        { "DISCONNECT with a body", Hex("E0 01 00"), "DISCONNECT: remaining length is 1, must be 0" },
        { "PUBACK of 1 byte", Hex("40 01 00"), "PUBACK: remaining length is 1, must be 2" },
        { "PUBACK of 3 bytes", Hex("40 03 00 01 00"), "PUBACK: remaining length is 3, must be 2" },
        { "PUBREC of 0 bytes", Hex("50 00"), "PUBREC: remaining length is 0, must be 2" },
        { "PUBREL of 3 bytes", Hex("62 03 00 01 00"), "PUBREL: remaining length is 3, must be 2" },
        { "PUBCOMP of 1 byte", Hex("70 01 00"), "PUBCOMP: remaining length is 1, must be 2" },
        { "UNSUBACK of 3 bytes", Hex("B0 03 00 01 00"), "UNSUBACK: remaining length is 3, must be 2" },
        { "CONNACK of 3 bytes", Hex("20 03 00 00 00"), "CONNACK: remaining length is 3, must be 2" },
        { "CONNACK of 1 byte", Hex("20 01 00"), "CONNACK: remaining length is 1, must be 2" },
    };

    [Theory]
    [MemberData(nameof(FramingCases))]
    [MemberData(nameof(FixedHeaderFlagCases))]
    [MemberData(nameof(ConnectCases))]
    [MemberData(nameof(PublishCases))]
    [MemberData(nameof(SubscribeCases))]
    [MemberData(nameof(RemainingLengthCases))]
    public void MalformedPacketIsRejectedWithItsReason(string rule, byte[] bytes, string reason)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);

        var exception = Assert.Throws<MalformedPacketException>(() => PacketReader.TryRead(ref buffer, MaxPacketSize, out _));

        Assert.True(reason == exception.Message, $"{rule}: expected \"{reason}\", got \"{exception.Message}\"");
        Assert.Equal(bytes.Length, buffer.Length);
    }

    [Theory]
    [InlineData("30 0A", 5, 12)]
    [InlineData("30 80 01", 130, 131)]
    [InlineData("82 80 80 01", 16_387, 16_388)]
    [InlineData("30 80 80 80 01", 1_000_000, 2_097_157)]
    public void OversizedPacketIsRejectedFromItsFixedHeaderAlone(string header, int maxPacketSize, int announcedSize)
    {
        var buffer = new ReadOnlySequence<byte>(Hex(header));

        var exception = Assert.Throws<PacketTooLargeException>(() => PacketReader.TryRead(ref buffer, maxPacketSize, out _));

        Assert.Equal(announcedSize, exception.AnnouncedSize);
        Assert.Equal(maxPacketSize, exception.MaxPacketSize);
    }

    [Fact]
    public void PacketTooLargeIsAMalformedPacket()
    {
        var buffer = new ReadOnlySequence<byte>(Hex("30 7F"));

        Assert.ThrowsAny<MalformedPacketException>(() => PacketReader.TryRead(ref buffer, 100, out _));
    }

    [Fact]
    public void MqttThreeOneAllowsPasswordWithoutUserName()
    {
        var bytes = Frame(0x10, Str("MQIsdp"), B(3, 0x42), U16(60), Str("c"), Str("p"));

        var packet = Assert.IsType<ConnectPacket>(ReadSingle(bytes));

        Assert.Null(packet.UserName);
        Assert.Equal("p"u8.ToArray(), packet.Password);
    }

    [Fact]
    public void MalformedStringSplitAcrossSegmentsIsStillRejected()
    {
        var bytes = Frame(0x30, Str(0x61, 0x62, 0xFF, 0x63));
        var buffer = TestSegment.CreateSequence(bytes.AsMemory(0, 5), bytes.AsMemory(5));

        Assert.Throws<MalformedPacketException>(() => PacketReader.TryRead(ref buffer, MaxPacketSize, out _));
    }
}
