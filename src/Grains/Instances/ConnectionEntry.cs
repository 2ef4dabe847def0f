using System.Security.Cryptography;
using System.Text;

namespace Broker.Grains.Instances;

/// <summary>What an instance knows about one connected client.</summary>
internal sealed class ConnectionEntry(ConnectionAddress address, string clientId, bool readOnly, string? tokenId, PublishedMessage? will)
{
    public ConnectionAddress Address { get; } = address;

    /// <summary>
    /// The id system topics show for the connection (and <c>$action</c> targets): derived from the address, so it
    /// stays the same when a re-activated instance restores the connection.
    /// </summary>
    public string Id { get; } = IdOf(address);

    /// <summary>The client id: the connection's display name.</summary>
    public string ClientId { get; } = clientId;

    public bool ReadOnly { get; } = readOnly;

    public PublishedMessage? Will { get; set; } = will;

    /// <summary>The token the connection authenticated with (null: none), so that deleting the token closes the connection.</summary>
    public string? TokenId { get; } = tokenId;

    /// <summary>The connection's filters and their grants, so that a disconnect removes exactly its trie entries.</summary>
    public Dictionary<string, byte> Subscriptions { get; } = new(StringComparer.Ordinal);

    private static string IdOf(ConnectionAddress address)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(address.GatewayId), hash);
        return $"{Convert.ToHexStringLower(hash[..6])}{address.ConnectionId:x6}";
    }
}
