using System.Buffers.Binary;
using Broker.Bench.Load;
using Broker.Bench.Measurement;
using Broker.Protocol;

namespace Broker.Bench.Tests;

/// <summary>The receive side's framing: whatever way the stream is cut into receives, every packet comes out whole, once, in order.</summary>
public sealed class FrameBufferTests
{
    [Fact]
    public void SeveralPacketsInOneReceiveAreAllHandled()
    {
        var stream = Stream(out var expected);
        var buffer = new FrameBuffer(64 * 1024);
        var handler = new Collector();

        Receive(buffer, stream);
        var count = buffer.Drain(handler);

        Assert.Equal(expected.Count, count);
        Assert.Equal(expected, handler.Packets);
        Assert.Equal(0, buffer.Filled);
    }

    [Fact]
    public void PacketsSplitAcrossTwoReceivesAtEveryByteAreHandledOnce()
    {
        var stream = Stream(out var expected);
        for (var cut = 0; cut <= stream.Length; cut++)
        {
            var buffer = new FrameBuffer(64 * 1024);
            var handler = new Collector();

            Receive(buffer, stream.AsSpan(0, cut));
            buffer.Drain(handler);
            Receive(buffer, stream.AsSpan(cut));
            buffer.Drain(handler);

            Assert.Equal(expected, handler.Packets);
            Assert.Equal(0, buffer.Filled);
        }
    }

    [Fact]
    public void ByteByByteReceivesYieldEveryPacket()
    {
        var stream = Stream(out var expected);
        var buffer = new FrameBuffer(64 * 1024);
        var handler = new Collector();

        foreach (var b in stream)
        {
            Receive(buffer, [b]);
            buffer.Drain(handler);
        }

        Assert.Equal(expected, handler.Packets);
    }

    [Fact]
    public void APacketBiggerThanTheBufferGrowsIt()
    {
        var big = Publish("t", new byte[5000], QualityOfService.AtMostOnce, 0);
        var small = Publish("t", new byte[20], QualityOfService.AtLeastOnce, 9);
        byte[] stream = [.. small, .. big, .. small];
        var buffer = new FrameBuffer(1024);
        var handler = new Collector();

        var offset = 0;
        while (offset < stream.Length)
        {
            var chunk = Math.Min(buffer.Free.Length, stream.Length - offset);
            Receive(buffer, stream.AsSpan(offset, chunk));
            buffer.Drain(handler);
            offset += chunk;
        }

        Assert.Equal(3, handler.Packets.Count);
        Assert.Equal(5000, handler.Payloads[1]);
        Assert.True(buffer.Capacity >= big.Length);
    }

    [Fact]
    public void PublishPayloadSkipsTheTopicAndThePacketIdentifier()
    {
        var packet = Publish("bench/p2p/1", new byte[32], QualityOfService.AtLeastOnce, 513);
        var handler = new Collector();

        FrameBuffer.Frame(packet, handler, out var packets, out var incomplete);

        Assert.Equal(1, packets);
        Assert.Equal(0, incomplete);
        Assert.Equal(513, handler.PacketIds[0]);
        Assert.Equal(32, handler.Payloads[0]);
    }

    [Fact]
    public void AnIncompletePacketReportsItsSizeOnceTheLengthIsKnown()
    {
        var packet = Publish("t", new byte[300], QualityOfService.AtMostOnce, 0);
        var handler = new Collector();

        Assert.Equal(0, FrameBuffer.Frame(packet.AsSpan(0, 2), handler, out _, out var unknown));
        Assert.Equal(0, unknown);
        Assert.Equal(0, FrameBuffer.Frame(packet.AsSpan(0, 10), handler, out _, out var known));
        Assert.Equal(packet.Length, known);
    }

    [Fact]
    public void AMalformedRemainingLengthThrows()
    {
        byte[] packet = [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];

        Assert.Throws<BenchException>(() => FrameBuffer.Frame(packet, new Collector(), out _, out _));
    }

    /// <summary>PUBLISHes at both QoS, with one- and two-byte remaining lengths, and a PUBACK and a PINGRESP among them.</summary>
    private static byte[] Stream(out List<string> expected)
    {
        var packets = new List<byte[]>
        {
            Publish("bench/p2p/0", new byte[16], QualityOfService.AtMostOnce, 0),
            Publish("bench/p2p/0", new byte[64], QualityOfService.AtLeastOnce, 1),
            new byte[] { (byte)((int)PacketType.PubAck << 4), 2, 0, 7 },
            Publish("bench/fanout", new byte[200], QualityOfService.AtLeastOnce, 65_535),
            new byte[] { (byte)((int)PacketType.PingResp << 4), 0 },
            Publish("b", new byte[17], QualityOfService.AtMostOnce, 0),
        };
        expected = [.. packets.Select(Describe)];
        return [.. packets.SelectMany(p => p)];
    }

    private static byte[] Publish(string topic, byte[] payload, QualityOfService qos, ushort packetId)
    {
        if (payload.Length >= Stamp.Size)
        {
            new Stamp(1, (uint)payload.Length, 42).Write(payload);
        }

        return PacketTemplate.Encode(new PublishPacket(topic, payload, qos, false, false, packetId));
    }

    private static void Receive(FrameBuffer buffer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer.Free);
        buffer.Commit(bytes.Length);
    }

    private static string Describe(byte[] packet)
    {
        var headerSize = 2;
        while ((packet[headerSize - 1] & 0x80) != 0)
        {
            headerSize++;
        }

        return Describe(packet[0], packet.AsSpan(headerSize));
    }

    private static string Describe(byte header, ReadOnlySpan<byte> body) => $"{header:x2}:{Convert.ToHexString(body)}";

    private sealed class Collector : IPacketHandler
    {
        public List<string> Packets { get; } = [];

        public List<int> PacketIds { get; } = [];

        public List<int> Payloads { get; } = [];

        public void OnPacket(byte header, ReadOnlySpan<byte> body)
        {
            Packets.Add(Describe(header, body));
            if (header >> 4 == (int)PacketType.Publish)
            {
                var payload = FrameBuffer.PublishPayload(header, body, out var packetId);
                PacketIds.Add(packetId);
                Payloads.Add(payload.Length);
                if (payload.Length >= Stamp.Size)
                {
                    Assert.Equal((uint)payload.Length, BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]));
                }
            }
        }
    }
}
