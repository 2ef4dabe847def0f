using System.Buffers.Binary;

namespace Broker.Bench.Measurement;

/// <summary>
/// The first 16 bytes of every benchmark payload: the publisher's index, its sequence number, and the message's
/// intended send time in <see cref="System.Diagnostics.Stopwatch"/> ticks (publishers and subscribers share one
/// process, so one clock). Little-endian, so that patching a pre-encoded packet is three plain stores.
/// </summary>
public readonly record struct Stamp(uint Publisher, uint Sequence, long IntendedTicks)
{
    public const int Size = 16;

    public void Write(Span<byte> payload)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(payload, Publisher);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[4..], Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], IntendedTicks);
    }

    /// <summary>Reads the stamp at the front of <paramref name="payload"/>; false when it is too short to carry one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out Stamp stamp)
    {
        if (payload.Length < Size)
        {
            stamp = default;
            return false;
        }

        stamp = new Stamp(
            BinaryPrimitives.ReadUInt32LittleEndian(payload),
            BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]),
            BinaryPrimitives.ReadInt64LittleEndian(payload[8..]));
        return true;
    }
}
