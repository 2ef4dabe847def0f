using System.IO.Pipelines;

namespace Broker.Gateway.Transports;

/// <summary>
/// A pipe writer that passes everything to the writer it wraps, except a <see cref="CancelPendingFlush"/> that comes
/// once the writer is completed: that one does nothing, as it does on a <see cref="Pipe"/>'s own writer. Kestrel's
/// TLS pipe writes to the TLS stream through a writer that disposes its cancellation source on completion, so there
/// a late cancel throws <see cref="ObjectDisposedException"/>; such a cancel comes from the connection-closed
/// callback when the client closes just as the MQTT connection ends, and Kestrel logs the exception as an error.
/// </summary>
internal sealed class CompletionGuardedPipeWriter(PipeWriter writer) : PipeWriter
{
    private readonly Lock _completion = new();
    private bool _completed;

    public override bool CanGetUnflushedBytes => writer.CanGetUnflushedBytes;

    public override long UnflushedBytes => writer.UnflushedBytes;

    public override Memory<byte> GetMemory(int sizeHint = 0) => writer.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => writer.GetSpan(sizeHint);

    public override void Advance(int bytes) => writer.Advance(bytes);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => writer.FlushAsync(cancellationToken);

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
        writer.WriteAsync(source, cancellationToken);

    public override void CancelPendingFlush()
    {
        // Under the lock, a cancel either reaches the writer before completion starts or sees it completed.
        lock (_completion)
        {
            if (!_completed)
            {
                writer.CancelPendingFlush();
            }
        }
    }

    public override void Complete(Exception? exception = null)
    {
        MarkCompleted();
        writer.Complete(exception);
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        MarkCompleted();
        return writer.CompleteAsync(exception);
    }

    private void MarkCompleted()
    {
        lock (_completion)
        {
            _completed = true;
        }
    }
}
