using System.Buffers;
using System.Runtime.InteropServices;

namespace Broker.Protocol.Tests;

public class RoundTripTests
{
    [Theory]
    [MemberData(nameof(PacketSamples.Names), MemberType = typeof(PacketSamples))]
    public void PacketReadBackEqualsPacketWritten(string name)
    {
        var packet = PacketSamples.All[name];

        var read = Wire.ReadSingle(Wire.Serialize(packet));

        Assert.Equal(packet, read);
        Assert.Equal(packet.Type, read.Type);
    }

    [Theory]
    [MemberData(nameof(PacketSamples.Names), MemberType = typeof(PacketSamples))]
    public void GetSizeEqualsBytesWrittenAndHeaderCarriesType(string name)
    {
        var packet = PacketSamples.All[name];

        var bytes = Wire.Serialize(packet);

        Assert.Equal(packet.GetSize(), bytes.Length);
        Assert.Equal((byte)packet.Type, bytes[0] >> 4);
    }

    [Theory]
    [MemberData(nameof(PacketSamples.Names), MemberType = typeof(PacketSamples))]
    public void WriteAsksForOneSpanAndAdvancesOnce(string name)
    {
        var packet = PacketSamples.All[name];
        var output = new CountingBufferWriter();

        packet.Write(output);

        Assert.Equal(1, output.GetSpanCalls);
        Assert.Equal(1, output.AdvanceCalls);
        Assert.Equal(packet.GetSize(), output.Written.WrittenCount);
    }

    [Fact]
    public void PublishComputeSizeMatchesWrittenBytes()
    {
        var packet = new PublishPacket("a/b", new byte[1000], QualityOfService.AtLeastOnce, false, false, 5);

        Assert.Equal(Wire.Serialize(packet).Length, PublishPacket.ComputeSize("a/b", 1000, QualityOfService.AtLeastOnce));
        Assert.Equal(1 + 2 + 5 + 2 + 1000, PublishPacket.ComputeSize("a/b", 1000, QualityOfService.AtLeastOnce));
        Assert.Equal(1 + 2 + 5 + 1000, PublishPacket.ComputeSize("a/b", 1000, QualityOfService.AtMostOnce));
    }

    [Fact]
    public void PublishPayloadIsACopyThatDoesNotAliasTheInputBuffer()
    {
        var bytes = Wire.Serialize(new PublishPacket("t", new byte[] { 1, 2, 3 }, QualityOfService.AtMostOnce, false, false, 0));

        var read = (PublishPacket)Wire.ReadSingle(bytes);
        bytes.AsSpan().Fill(0xEE);

        Assert.Equal(new byte[] { 1, 2, 3 }, read.Payload.ToArray());
        Assert.True(MemoryMarshal.TryGetArray(read.Payload, out var segment));
        Assert.Equal(0, segment.Offset);
        Assert.Equal(3, segment.Array!.Length);
    }

    [Fact]
    public void SingletonPacketsReadAsTheirInstance()
    {
        Assert.Same(PingReqPacket.Instance, Wire.ReadSingle(Wire.Hex("C0 00")));
        Assert.Same(PingRespPacket.Instance, Wire.ReadSingle(Wire.Hex("D0 00")));
        Assert.Same(DisconnectPacket.Instance, Wire.ReadSingle(Wire.Hex("E0 00")));
    }

    [Fact]
    public void PacketsWithDifferentPayloadBytesAreNotEqual()
    {
        var a = new PublishPacket("t", new byte[] { 1 }, QualityOfService.AtMostOnce, false, false, 0);
        var b = a with { Payload = new byte[] { 2 } };

        Assert.NotEqual<MqttPacket>(a, b);
        Assert.Equal<MqttPacket>(a, a with { Payload = new byte[] { 1 } });
    }

    [Fact]
    public void UnknownProtocolLevelIsReturnedForConnAckOneInsteadOfThrowing()
    {
        // An MQTT 5 CONNECT: level 5 and a property length before the client id, which 3.1.1 does not have.
        var bytes = Wire.Frame(0x10, Wire.Str("MQTT"), Wire.B(5, 0x02), Wire.U16(60), Wire.B(0), Wire.Str("c5"));

        var packet = Assert.IsType<ConnectPacket>(Wire.ReadSingle(bytes));

        Assert.Equal("MQTT", packet.ProtocolName);
        Assert.Equal(5, packet.ProtocolLevel);
        Assert.False(packet.IsSupportedProtocolVersion);
    }

    [Fact]
    public void KnownNameWithTheOtherVersionsLevelIsReturnedAsUnsupported()
    {
        var bytes = Wire.Frame(0x10, Wire.Str("MQIsdp"), Wire.B(4, 0x02), Wire.U16(60), Wire.Str("c"));

        var packet = Assert.IsType<ConnectPacket>(Wire.ReadSingle(bytes));

        Assert.Equal("MQIsdp", packet.ProtocolName);
        Assert.Equal(4, packet.ProtocolLevel);
        Assert.False(packet.IsSupportedProtocolVersion);
    }

    [Fact]
    public void SupportedVersionsAreReportedSupported()
    {
        Assert.True(((ConnectPacket)PacketSamples.All["CONNECT minimal"]).IsSupportedProtocolVersion);
        Assert.True(((ConnectPacket)PacketSamples.All["CONNECT MQTT 3.1"]).IsSupportedProtocolVersion);
    }

    private sealed class CountingBufferWriter : IBufferWriter<byte>
    {
        public ArrayBufferWriter<byte> Written { get; } = new();

        public int GetSpanCalls { get; private set; }

        public int AdvanceCalls { get; private set; }

        public void Advance(int count)
        {
            AdvanceCalls++;
            Written.Advance(count);
        }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            GetSpanCalls++;
            return Written.GetMemory(sizeHint);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            GetSpanCalls++;
            return Written.GetSpan(sizeHint);
        }
    }
}
