using System.Buffers;

namespace Broker.Protocol.Tests;

/// <summary>The variable byte integer of the fixed header at each boundary of its one to four byte forms.</summary>
public class RemainingLengthTests
{
    public static TheoryData<int, string> Boundaries => new()
    {
        { 0, "00" },
        { 127, "7F" },
        { 128, "80 01" },
        { 16_383, "FF 7F" },
        { 16_384, "80 80 01" },
        { 2_097_151, "FF FF 7F" },
        { 2_097_152, "80 80 80 01" },
        { 268_435_455, "FF FF FF 7F" },
    };

    [Theory]
    [MemberData(nameof(Boundaries))]
    public void RemainingLengthIsDecodedFromTheFixedHeader(int remainingLength, string encoded)
    {
        var header = Wire.Hex("30 " + encoded);
        var buffer = new ReadOnlySequence<byte>(header);

        var tooLarge = Assert.Throws<PacketTooLargeException>(() => PacketReader.TryRead(ref buffer, 1, out _));

        Assert.Equal(header.Length + remainingLength, tooLarge.AnnouncedSize);
        Assert.Equal(1, tooLarge.MaxPacketSize);
    }

    [Theory]
    [MemberData(nameof(Boundaries))]
    public void ReaderWaitsForTheBodyAnnouncedByTheFixedHeader(int remainingLength, string encoded)
    {
        if (remainingLength == 0)
        {
            return;
        }

        var header = Wire.Hex("30 " + encoded);
        var buffer = new ReadOnlySequence<byte>(header);

        Assert.False(PacketReader.TryRead(ref buffer, int.MaxValue, out _));
        Assert.Equal(header.Length, buffer.Length);
    }

    [Theory]
    [MemberData(nameof(Boundaries))]
    public void PublishSizeAccountsForTheRemainingLengthBytes(int remainingLength, string encoded)
    {
        if (remainingLength < 3)
        {
            return;
        }

        var size = PublishPacket.ComputeSize("t", remainingLength - 3, QualityOfService.AtMostOnce);

        Assert.Equal(1 + Wire.Hex(encoded).Length + remainingLength, size);
    }

    [Theory]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(16_383)]
    [InlineData(16_384)]
    [InlineData(2_097_151)]
    [InlineData(2_097_152)]
    public void PublishWithBoundaryRemainingLengthIsWrittenAndReadBack(int remainingLength)
    {
        var packet = new PublishPacket("t", new byte[remainingLength - 3], QualityOfService.AtMostOnce, false, false, 0);

        var bytes = Wire.Serialize(packet);

        var encoded = Wire.RemainingLength(remainingLength);
        Assert.Equal(encoded, bytes.AsSpan(1, encoded.Length).ToArray());
        Assert.Equal(1 + encoded.Length + remainingLength, bytes.Length);
        Assert.Equal(packet, Wire.ReadSingle(bytes));
    }

    [Fact]
    public void EmptyPacketIsWrittenWithZeroRemainingLength()
    {
        Assert.Equal(Wire.Hex("C0 00"), Wire.Serialize(PingReqPacket.Instance));
    }

    [Fact]
    public void PacketBeyondTheLargestRemainingLengthCannotBeSized()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PublishPacket.ComputeSize("t", 268_435_455 - 2, QualityOfService.AtMostOnce));
    }

    [Fact]
    public void PacketExactlyAtTheMaximumSizeIsAccepted()
    {
        var bytes = Wire.Serialize(new PublishPacket("t", new byte[10], QualityOfService.AtMostOnce, false, false, 0));

        Assert.IsType<PublishPacket>(Wire.ReadSingle(bytes, maxPacketSize: bytes.Length));
    }
}
