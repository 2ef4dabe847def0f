using System.Buffers;
using static Broker.Protocol.Tests.Wire;

namespace Broker.Protocol.Tests;

/// <summary>
/// MQTT 3.1 clients set DUP when they re-send PUBREL, SUBSCRIBE or UNSUBSCRIBE; a level 3 connection accepts it,
/// while MQTT 3.1.1 keeps those flags fixed at 0b0010 [MQTT-2.2.2-2].
/// </summary>
public class ProtocolLevelTests
{
    private const byte Mqtt31 = ConnectPacket.Mqtt31ProtocolLevel;
    private const byte Mqtt311 = ConnectPacket.Mqtt311ProtocolLevel;

    private static readonly (string Name, byte[] Bytes, MqttPacket Packet)[] Resent =
    [
        ("PUBREL", Hex("6A 02 00 07"), new PubRelPacket(7)),
        ("SUBSCRIBE", Frame(0x8A, U16(8), Str("a/b"), B(1)), new SubscribePacket(8, [new TopicSubscription("a/b", QualityOfService.AtLeastOnce)])),
        ("UNSUBSCRIBE", Frame(0xAA, U16(9), Str("a/b"), Str("c")), new UnsubscribePacket(9, ["a/b", "c"])),
    ];

    public static TheoryData<string, byte[], MqttPacket> ResentPackets
    {
        get
        {
            var data = new TheoryData<string, byte[], MqttPacket>();
            foreach (var (name, bytes, packet) in Resent)
            {
                data.Add(name, bytes, packet);
            }

            return data;
        }
    }

    public static TheoryData<string, byte[]> ResentFrames
    {
        get
        {
            var data = new TheoryData<string, byte[]>();
            foreach (var (name, bytes, _) in Resent)
            {
                data.Add(name, bytes);
            }

            return data;
        }
    }

    public static TheoryData<string, byte[], string> FlagsRefusedAtEveryLevel => new()
    {
        { "PUBREL with DUP and QoS 0", Hex("68 02 00 01"), "PUBREL: fixed header flags are 0x8, must be 0x2" },
        { "PUBREL with DUP, QoS 1 and RETAIN", Hex("6B 02 00 01"), "PUBREL: fixed header flags are 0xB, must be 0x2" },
        { "SUBSCRIBE with DUP and QoS 2", Frame(0x8C, U16(1), Str("a"), B(0)), "SUBSCRIBE: fixed header flags are 0xC, must be 0x2" },
        { "UNSUBSCRIBE with QoS 0", Frame(0xA0, U16(1), Str("a")), "UNSUBSCRIBE: fixed header flags are 0x0, must be 0x2" },
        { "PUBACK with DUP", Hex("48 02 00 01"), "PUBACK: fixed header flags are 0x8, must be 0x0" },
        { "PUBREC with DUP and QoS 1", Hex("5A 02 00 01"), "PUBREC: fixed header flags are 0xA, must be 0x0" },
        { "PINGREQ with DUP", Hex("C8 00"), "PINGREQ: fixed header flags are 0x8, must be 0x0" },
    };

    [Theory]
    [MemberData(nameof(ResentPackets))]
    public void ResentPacketWithDuplicateFlagIsReadAtMqtt31(string name, byte[] bytes, MqttPacket expected)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.True(PacketReader.TryRead(ref buffer, MaxPacketSize, Mqtt31, out var packet), name);

        Assert.Equal(expected, packet);
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [MemberData(nameof(ResentFrames))]
    public void ResentPacketWithDuplicateFlagIsMalformedAtMqtt311(string name, byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);

        var exception = Assert.Throws<MalformedPacketException>(() => PacketReader.TryRead(ref buffer, MaxPacketSize, Mqtt311, out _));

        Assert.Equal($"{name}: fixed header flags are 0xA, must be 0x2", exception.Message);
        Assert.Equal(bytes.Length, buffer.Length);
    }

    [Theory]
    [MemberData(nameof(ResentFrames))]
    public void ReaderWithoutAProtocolLevelKeepsMqtt311Strictness(string name, byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);

        var exception = Assert.Throws<MalformedPacketException>(() => PacketReader.TryRead(ref buffer, MaxPacketSize, out _));

        Assert.Equal($"{name}: fixed header flags are 0xA, must be 0x2", exception.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(255)]
    public void UnknownProtocolLevelKeepsMqtt311Strictness(byte protocolLevel)
    {
        var buffer = new ReadOnlySequence<byte>(Hex("6A 02 00 07"));

        Assert.Throws<MalformedPacketException>(() => PacketReader.TryRead(ref buffer, MaxPacketSize, protocolLevel, out _));
    }

    [Theory]
    [MemberData(nameof(FlagsRefusedAtEveryLevel))]
    public void OtherFlagsStayMalformedAtMqtt31(string rule, byte[] bytes, string reason)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);

        var exception = Assert.Throws<MalformedPacketException>(() => PacketReader.TryRead(ref buffer, MaxPacketSize, Mqtt31, out _));

        Assert.True(reason == exception.Message, $"{rule}: expected \"{reason}\", got \"{exception.Message}\"");
    }

    [Theory]
    [MemberData(nameof(PacketSamples.Names), MemberType = typeof(PacketSamples))]
    public void EveryPacketWrittenIsReadTheSameAtMqtt31(string name)
    {
        var packet = PacketSamples.All[name];
        var buffer = new ReadOnlySequence<byte>(Serialize(packet));

        Assert.True(PacketReader.TryRead(ref buffer, MaxPacketSize, Mqtt31, out var read));

        Assert.Equal(packet, read);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void ResentPacketsSplitAtEveryBoundaryAreAllReadAtMqtt31()
    {
        var expected = Resent.Select(resent => resent.Packet).ToList();
        var bytes = Resent.SelectMany(resent => resent.Bytes).ToArray();

        for (var split = 0; split <= bytes.Length; split++)
        {
            var buffer = TestSegment.CreateSequence(bytes.AsMemory(0, split), bytes.AsMemory(split));
            var read = new List<MqttPacket>();
            while (PacketReader.TryRead(ref buffer, MaxPacketSize, Mqtt31, out var packet))
            {
                read.Add(packet);
            }

            Assert.Equal(expected, read);
            Assert.True(buffer.IsEmpty);
        }
    }

    [Fact]
    public void ReadingAtMqtt31AllocatesNothingBeyondThePacket()
    {
        var resent = Hex("6A 02 00 07");
        var plain = Hex("62 02 00 07");
        AllocatedByReads(resent, Mqtt31);
        AllocatedByReads(plain, Mqtt311);

        Assert.Equal(AllocatedByReads(plain, Mqtt311), AllocatedByReads(resent, Mqtt31));
    }

    private static long AllocatedByReads(byte[] bytes, byte protocolLevel)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes);
            PacketReader.TryRead(ref buffer, MaxPacketSize, protocolLevel, out _);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
