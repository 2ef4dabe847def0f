namespace Broker.Grains.Instances;

/// <summary>What an instance knows about one connected client.</summary>
internal sealed class ConnectionEntry(ConnectionAddress address, string clientId, PublishedMessage? will)
{
    public ConnectionAddress Address { get; } = address;

    public string ClientId { get; } = clientId;

    public PublishedMessage? Will { get; set; } = will;

    /// <summary>The connection's filters and their grants, so that a disconnect removes exactly its trie entries.</summary>
    public Dictionary<string, byte> Subscriptions { get; } = new(StringComparer.Ordinal);
}
