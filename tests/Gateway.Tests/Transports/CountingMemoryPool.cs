using System.Buffers;

namespace Broker.Gateway.Tests.Transports;

/// <summary>A memory pool that counts the blocks rented and not yet given back, to show what a pipe holds.</summary>
internal sealed class CountingMemoryPool : MemoryPool<byte>
{
    private const int BlockSize = 4096;

    private int _outstanding;

    /// <summary>Blocks rented and not yet returned.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    public override int MaxBufferSize => 1024 * 1024;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        Interlocked.Increment(ref _outstanding);
        return new Block(this, new byte[Math.Max(minBufferSize, BlockSize)]);
    }

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Block(CountingMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private int _returned;

        public Memory<byte> Memory => array;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                Interlocked.Decrement(ref pool._outstanding);
            }
        }
    }
}
