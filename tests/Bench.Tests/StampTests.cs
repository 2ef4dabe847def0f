using System.Buffers;
using Broker.Bench.Load;
using Broker.Bench.Measurement;
using Broker.Protocol;

namespace Broker.Bench.Tests;

public sealed class StampTests
{
    [Fact]
    public void StampReadsBackWhatWasWritten()
    {
        var payload = new byte[20];
        var stamp = new Stamp(7, 4_000_000_000, 123_456_789_012_345);

        stamp.Write(payload);

        Assert.True(Stamp.TryRead(payload, out var read));
        Assert.Equal(stamp, read);
    }

    [Fact]
    public void StampIsLittleEndianPublisherSequenceThenTicks()
    {
        var payload = new byte[Stamp.Size];

        new Stamp(0x01020304, 0x05060708, 0x090A0B0C0D0E0F10).Write(payload);

        Assert.Equal(new byte[] { 4, 3, 2, 1, 8, 7, 6, 5, 0x10, 0x0F, 0x0E, 0x0D, 0x0C, 0x0B, 0x0A, 9 }, payload);
    }

    [Fact]
    public void PayloadShorterThanAStampHasNone()
    {
        Assert.False(Stamp.TryRead(new byte[Stamp.Size - 1], out _));
    }

    [Theory]
    [InlineData(QualityOfService.AtMostOnce, 16)]
    [InlineData(QualityOfService.AtLeastOnce, 64)]
    [InlineData(QualityOfService.AtLeastOnce, 300)]
    public void PatchedTemplateIsAValidPublishCarryingTheStamp(QualityOfService qos, int payloadBytes)
    {
        var template = new PacketTemplate("bench/p2p/3", payloadBytes, qos);
        var packet = new byte[template.Bytes.Length];

        template.WriteTo(packet, new Stamp(3, 65_535, 42));

        var sequence = new ReadOnlySequence<byte>(packet);
        Assert.True(PacketReader.TryRead(ref sequence, 1 << 20, out var read));
        var publish = Assert.IsType<PublishPacket>(read);
        Assert.Equal("bench/p2p/3", publish.Topic);
        Assert.Equal(qos, publish.Qos);
        Assert.Equal(payloadBytes, publish.Payload.Length);
        Assert.Equal(qos == QualityOfService.AtMostOnce ? 0 : 1, publish.PacketId);
        Assert.True(Stamp.TryRead(publish.Payload.Span, out var stamp));
        Assert.Equal(new Stamp(3, 65_535, 42), stamp);
    }

    [Fact]
    public void PacketIdentifiersCycleThroughOneTo65535()
    {
        var template = new PacketTemplate("t", 16, QualityOfService.AtLeastOnce);
        var packet = new byte[template.Bytes.Length];

        template.WriteTo(packet, new Stamp(0, 65_534, 0));
        Assert.Equal(65_535, (packet[template.PacketIdOffset] << 8) | packet[template.PacketIdOffset + 1]);
        template.WriteTo(packet, new Stamp(0, 65_535, 0));
        Assert.Equal(1, (packet[template.PacketIdOffset] << 8) | packet[template.PacketIdOffset + 1]);
    }
}
