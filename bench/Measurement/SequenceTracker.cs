namespace Broker.Bench.Measurement;

/// <summary>
/// What one subscriber received of one publisher's sequence numbers: a bit per number, so duplicates are exact.
/// A number below the highest one seen that arrives for the first time is out of order; numbers never seen are
/// lost (<see cref="CountLost"/>, once the publisher's total is known). Not thread-safe.
/// </summary>
public sealed class SequenceTracker
{
    private ulong[] _seen = new ulong[1024];
    private long _highest = -1;

    public long Distinct { get; private set; }

    public long Duplicated { get; private set; }

    public long OutOfOrder { get; private set; }

    public void Record(uint sequence)
    {
        var word = (int)(sequence >> 6);
        if (word >= _seen.Length)
        {
            Array.Resize(ref _seen, Math.Max(_seen.Length * 2, word + 1));
        }

        var bit = 1UL << (int)(sequence & 63);
        if ((_seen[word] & bit) != 0)
        {
            Duplicated++;
            return;
        }

        _seen[word] |= bit;
        Distinct++;
        if (sequence < _highest)
        {
            OutOfOrder++;
        }
        else
        {
            _highest = sequence;
        }
    }

    /// <summary>Messages 0 .. <paramref name="sent"/> - 1 that never arrived.</summary>
    public long CountLost(long sent) => CountLost(sent, out _, out _);

    /// <summary>Messages 0 .. <paramref name="sent"/> - 1 that never arrived, with the first and last of them (-1 when none).</summary>
    public long CountLost(long sent, out long firstLost, out long lastLost)
    {
        long lost = 0;
        firstLost = -1;
        lastLost = -1;
        for (long sequence = 0; sequence < sent; sequence++)
        {
            var word = (int)(sequence >> 6);
            if (word >= _seen.Length || (_seen[word] & (1UL << (int)(sequence & 63))) == 0)
            {
                lost++;
                lastLost = sequence;
                if (firstLost < 0)
                {
                    firstLost = sequence;
                }
            }
        }

        return lost;
    }
}
