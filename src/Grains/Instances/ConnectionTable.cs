using System.Diagnostics.CodeAnalysis;

namespace Broker.Grains.Instances;

/// <summary>
/// The connections an instance knows, by address and by client id. A client id names one session, so the
/// table holds at most one connection per client id: registering a newer one takes the session over from the
/// older, whichever gateway holds either.
/// </summary>
internal sealed class ConnectionTable
{
    private readonly Dictionary<ConnectionAddress, ConnectionEntry> _byAddress = [];
    private readonly Dictionary<string, ConnectionEntry> _byClientId = new(StringComparer.Ordinal);

    public int Count => _byAddress.Count;

    public IReadOnlyCollection<ConnectionEntry> All => _byAddress.Values;

    public bool TryGet(ConnectionAddress address, [NotNullWhen(true)] out ConnectionEntry? entry) => _byAddress.TryGetValue(address, out entry);

    public ConnectionEntry? Find(ConnectionAddress address) => _byAddress.GetValueOrDefault(address);

    /// <summary>The connection that system topics show as <paramref name="id"/> (see <see cref="ConnectionEntry.Id"/>).</summary>
    public ConnectionEntry? FindById(string id) => _byAddress.Values.FirstOrDefault(connection => connection.Id == id);

    public bool HoldsClientId(string clientId) => _byClientId.ContainsKey(clientId);

    /// <summary>
    /// Adds a connection. The newest connection with a client id wins: an older one at another address leaves
    /// the table and comes back in <paramref name="takenOver"/>, for the caller to close.
    /// </summary>
    public ConnectionEntry Register(
        ConnectionAddress address,
        string clientId,
        bool readOnly,
        string? tokenId,
        PublishedMessage? will,
        out ConnectionEntry? takenOver)
    {
        takenOver = null;
        if (_byClientId.TryGetValue(clientId, out var previous) && previous.Address != address)
        {
            Remove(previous);
            takenOver = previous;
        }

        var entry = new ConnectionEntry(address, clientId, readOnly, tokenId, will);
        _byAddress[address] = entry;
        _byClientId[clientId] = entry;
        return entry;
    }

    /// <summary>Forgets a connection; false when the table no longer holds it.</summary>
    public bool Remove(ConnectionEntry entry)
    {
        if (!_byAddress.TryGetValue(entry.Address, out var current) || !ReferenceEquals(current, entry))
        {
            return false;
        }

        _byAddress.Remove(entry.Address);
        if (_byClientId.TryGetValue(entry.ClientId, out var session) && ReferenceEquals(session, entry))
        {
            _byClientId.Remove(entry.ClientId);
        }

        return true;
    }
}
