using System.Buffers;
using System.IO.Pipelines;

namespace Broker.Gateway.Tests.Transports;

/// <summary>
/// One end of an in-memory duplex byte stream made of two pipes, for running a WebSocket without a socket. It says
/// when a read finds nothing to read and has to wait: the moment the reading side is idle.
/// </summary>
internal sealed class PipeStream(PipeReader input, PipeWriter output) : Stream
{
    private TaskCompletionSource? _readWaits;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Two connected ends: what one writes, the other reads.</summary>
    public static (PipeStream First, PipeStream Second) CreatePair()
    {
        var (forward, backward) = (new Pipe(), new Pipe());
        return (new PipeStream(forward.Reader, backward.Writer), new PipeStream(backward.Reader, forward.Writer));
    }

    /// <summary>Completes the next time a read on this end finds no data and waits for some.</summary>
    public Task NextReadWaitsAsync()
    {
        var readWaits = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _readWaits, readWaits);
        return readWaits.Task;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!input.TryRead(out var result))
        {
            Volatile.Read(ref _readWaits)?.TrySetResult();
            result = await input.ReadAsync(cancellationToken);
        }

        // A zero-byte read waits for data and consumes none of it.
        var count = (int)Math.Min(buffer.Length, result.Buffer.Length);
        result.Buffer.Slice(0, count).CopyTo(buffer.Span);
        input.AdvanceTo(result.Buffer.GetPosition(count));
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        await output.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            input.Complete();
            output.Complete();
        }

        base.Dispose(disposing);
    }
}
