namespace Broker.Protocol;

/// <summary>
/// The fixed header announced a packet larger than the configured maximum. Thrown before the body has
/// arrived, so an oversized packet is never buffered.
/// </summary>
public sealed class PacketTooLargeException(int announcedSize, int maxPacketSize)
    : MalformedPacketException($"packet of {announcedSize} bytes exceeds the maximum packet size of {maxPacketSize} bytes")
{
    /// <summary>Fixed header plus remaining length, in bytes.</summary>
    public int AnnouncedSize { get; } = announcedSize;

    public int MaxPacketSize { get; } = maxPacketSize;
}
