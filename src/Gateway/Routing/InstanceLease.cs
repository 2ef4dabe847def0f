using System.Collections.Concurrent;
using Broker.Grains;

namespace Broker.Gateway.Routing;

/// <summary>
/// This gateway's lease with one instance: the connections here that joined it, and what tells whether the instance
/// still holds their soft state (the epoch of the activation they registered with, a restore that a join found
/// necessary, the last inbox batch the instance had sent at the previous renewal).
/// </summary>
internal sealed class InstanceLease
{
    private readonly ConcurrentDictionary<long, IConnectionSink> _members = new();
    private readonly Lock _gate = new();
    private Guid _epoch;
    private bool _restoreRequested;

    /// <summary>The last inbox batch the instance had sent at the previous renewal; it must have arrived by the next.</summary>
    public long ExpectedSequence { get; private set; }

    public bool IsEmpty => _members.IsEmpty;

    public bool TryGetMember(long connectionId, [NotNullWhen(true)] out IConnectionSink? connection) =>
        _members.TryGetValue(connectionId, out connection);

    /// <summary>
    /// Takes note of a connection the instance accepted: if the instance forgot this gateway while other connections
    /// here were registered with it, they must be restored.
    /// </summary>
    public void Joined(IConnectionSink connection, Guid epoch, bool gatewayKnown)
    {
        lock (_gate)
        {
            if (_members.IsEmpty)
            {
                // The first connection here starts the lease afresh: an instance that forgot this gateway while it
                // had no connections here numbers its batches from the start again.
                _epoch = epoch;
                ExpectedSequence = 0;
            }
            else if (epoch != _epoch || !gatewayKnown)
            {
                _restoreRequested = true;
            }

            _members[connection.Id] = connection;
        }
    }

    public void Left(IConnectionSink connection) => _members.TryRemove(connection.Id, out _);

    /// <summary>Whether a renewal's answer shows that the instance lost this gateway's connections.</summary>
    public bool MustRestore(LeaseRenewal renewal)
    {
        lock (_gate)
        {
            return _restoreRequested || !renewal.GatewayKnown || renewal.Epoch != _epoch;
        }
    }

    /// <summary>What the instance must be told again, connection by connection; clears a requested restore.</summary>
    public ImmutableArray<ConnectionSnapshot> TakeSnapshots()
    {
        lock (_gate)
        {
            _restoreRequested = false;
        }

        return [.. _members.Values.Select(connection => connection.Snapshot())];
    }

    /// <summary>The instance activation with <paramref name="epoch"/> now holds this gateway's connections.</summary>
    public void Restored(Guid epoch)
    {
        lock (_gate)
        {
            _epoch = epoch;
            ExpectedSequence = 0;
        }
    }

    /// <summary>Takes note of a renewal that needed no restore.</summary>
    public void Renewed(LeaseRenewal renewal) => ExpectedSequence = renewal.LastSequence;
}
