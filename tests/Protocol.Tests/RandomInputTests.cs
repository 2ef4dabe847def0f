using System.Buffers;

namespace Broker.Protocol.Tests;

/// <summary>Arbitrary bytes from the network must end in a packet, a request for more bytes, or a malformed packet.</summary>
public class RandomInputTests
{
    private const int Iterations = 10_000;

    [Fact]
    public void RandomBytesOnlyEverYieldPacketsOrMalformedPacketExceptions()
    {
        var random = new Random(20_240_611);
        for (var i = 0; i < Iterations; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            if (bytes.Length > 1 && i % 2 == 0)
            {
                // Keep the remaining length small so that half of the buffers reach the packet parsers.
                bytes[1] = (byte)random.Next(0, bytes.Length);
            }

            ReadAll(bytes, random);
        }
    }

    [Fact]
    public void MutatedValidPacketsOnlyEverYieldPacketsOrMalformedPacketExceptions()
    {
        var random = new Random(7);
        var samples = PacketSamples.All.Values.Select(Wire.Serialize).ToArray();
        for (var i = 0; i < Iterations; i++)
        {
            var bytes = (byte[])samples[random.Next(samples.Length)].Clone();
            var mutations = random.Next(1, 4);
            for (var m = 0; m < mutations; m++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            ReadAll(bytes, random);
        }
    }

    private static void ReadAll(byte[] bytes, Random random)
    {
        var split = bytes.Length == 0 ? 0 : random.Next(bytes.Length);
        var buffer = TestSegment.CreateSequence(bytes.AsMemory(0, split), bytes.AsMemory(split));
        try
        {
            while (PacketReader.TryRead(ref buffer, 4096, out var packet))
            {
                Assert.NotNull(packet);
            }
        }
        catch (MalformedPacketException)
        {
        }
    }
}
