using System.Buffers;

namespace Broker.Protocol.Tests;

/// <summary>Packets arrive in arbitrary pieces; the reader must neither consume a partial packet nor miss a whole one.</summary>
public class FragmentationTests
{
    [Theory]
    [MemberData(nameof(PacketSamples.Names), MemberType = typeof(PacketSamples))]
    public void PacketSplitIntoTwoSegmentsAtEveryBoundaryIsRead(string name)
    {
        var packet = PacketSamples.All[name];
        var bytes = Wire.Serialize(packet);

        for (var split = 0; split <= bytes.Length; split++)
        {
            var buffer = TestSegment.CreateSequence(bytes.AsMemory(0, split), bytes.AsMemory(split));

            Assert.True(PacketReader.TryRead(ref buffer, Wire.MaxPacketSize, out var read));
            Assert.Equal(packet, read);
            Assert.True(buffer.IsEmpty);
        }
    }

    [Theory]
    [MemberData(nameof(PacketSamples.Names), MemberType = typeof(PacketSamples))]
    public void PacketFedByteByByteIsReadOnlyAtTheLastByte(string name)
    {
        var packet = PacketSamples.All[name];
        var bytes = Wire.Serialize(packet);

        for (var available = 0; available < bytes.Length; available++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, available);

            Assert.False(PacketReader.TryRead(ref buffer, Wire.MaxPacketSize, out var none));
            Assert.Null(none);
            Assert.Equal(available, buffer.Length);
        }

        var whole = new ReadOnlySequence<byte>(bytes);
        Assert.True(PacketReader.TryRead(ref whole, Wire.MaxPacketSize, out var read));
        Assert.Equal(packet, read);
    }

    [Theory]
    [MemberData(nameof(PacketSamples.Names), MemberType = typeof(PacketSamples))]
    public void PacketWithEveryByteInItsOwnSegmentIsRead(string name)
    {
        var packet = PacketSamples.All[name];
        var bytes = Wire.Serialize(packet);
        var parts = Enumerable.Range(0, bytes.Length).Select(i => (ReadOnlyMemory<byte>)bytes.AsMemory(i, 1)).ToArray();

        for (var count = 0; count < parts.Length; count++)
        {
            var partial = TestSegment.CreateSequence(parts[..count]);
            Assert.False(PacketReader.TryRead(ref partial, Wire.MaxPacketSize, out _));
            Assert.Equal(count, partial.Length);
        }

        var buffer = TestSegment.CreateSequence(parts);
        Assert.True(PacketReader.TryRead(ref buffer, Wire.MaxPacketSize, out var read));
        Assert.Equal(packet, read);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void PacketsBackToBackInOneBufferAreAllReadInOrder()
    {
        var packets = PacketSamples.All.Values.ToList();
        var bytes = packets.SelectMany(Wire.Serialize).ToArray();
        var buffer = new ReadOnlySequence<byte>(bytes);

        var read = new List<MqttPacket>();
        while (PacketReader.TryRead(ref buffer, Wire.MaxPacketSize, out var packet))
        {
            read.Add(packet);
        }

        Assert.Equal(packets, read);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void PacketsBackToBackSplitAtEveryBoundaryAreAllRead()
    {
        var packets = new MqttPacket[]
        {
            PacketSamples.All["PUBLISH qos 1"],
            PingReqPacket.Instance,
            PacketSamples.All["SUBSCRIBE several filters"],
        };
        var bytes = packets.SelectMany(Wire.Serialize).ToArray();

        for (var split = 0; split <= bytes.Length; split++)
        {
            var buffer = TestSegment.CreateSequence(bytes.AsMemory(0, split), bytes.AsMemory(split));
            var read = new List<MqttPacket>();
            while (PacketReader.TryRead(ref buffer, Wire.MaxPacketSize, out var packet))
            {
                read.Add(packet);
            }

            Assert.Equal(packets, read);
            Assert.True(buffer.IsEmpty);
        }
    }

    [Fact]
    public void TrailingPartialPacketIsLeftInTheBuffer()
    {
        var first = Wire.Serialize(PacketSamples.All["PUBACK"]);
        var second = Wire.Serialize(PacketSamples.All["PUBLISH qos 2"]);
        var bytes = first.Concat(second.Take(5)).ToArray();
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.True(PacketReader.TryRead(ref buffer, Wire.MaxPacketSize, out var packet));
        Assert.Equal(PacketSamples.All["PUBACK"], packet);
        Assert.False(PacketReader.TryRead(ref buffer, Wire.MaxPacketSize, out _));
        Assert.Equal(5, buffer.Length);
    }
}
