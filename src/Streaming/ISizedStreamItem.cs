namespace Broker.Streaming;

/// <summary>
/// An item that says roughly how many bytes it holds, so that what waits for a slow consumer is bounded in bytes
/// (<see cref="PushStreamOptions.MaxQueuedBytes"/>) as well as in items. Other items count as none.
/// </summary>
public interface ISizedStreamItem
{
    long Size { get; }
}
