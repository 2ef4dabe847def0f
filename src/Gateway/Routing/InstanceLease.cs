using System.Collections.Concurrent;
using Broker.Grains;

namespace Broker.Gateway.Routing;

/// <summary>
/// This gateway's lease with one instance: the connections here that joined it, and what tells whether the instance
/// still holds their soft state (the activation and the id of the lease they registered under, a restore that a join
/// found necessary, the last inbox batch the instance had sent at the previous renewal), with the gateways the
/// activation last named as holding connections, for the next one should it be lost. A new activation, or a lease
/// that ran out, gives the gateway a new lease id; answers to concurrent joins may arrive in any order, but carry the
/// same id. Before it restores connections, the gateway renews its inbox subscription (<paramref name="renewInbox"/>):
/// the activation that was lost may have taken the inbox stream's registry with it.
/// </summary>
internal sealed class InstanceLease(Func<Task>? renewInbox = null)
{
    private readonly ConcurrentDictionary<long, IConnectionSink> _members = new();
    private readonly Lock _gate = new();
    private Guid _epoch;
    private Guid _leaseId;
    private ImmutableArray<string> _gateways = [];
    private bool _restoreRequested;
    private int _restoring;

    /// <summary>The last inbox batch the instance had sent at the previous renewal; it must have arrived by the next.</summary>
    public long ExpectedSequence { get; private set; }

    public bool IsEmpty => _members.IsEmpty;

    /// <summary>The lease the connections here are registered under, for the instance to check; empty when there are none.</summary>
    public Guid LeaseId
    {
        get
        {
            lock (_gate)
            {
                return _members.IsEmpty ? Guid.Empty : _leaseId;
            }
        }
    }

    /// <summary>Whether the instance activation <paramref name="epoch"/> is the one the connections here are registered with (or there are none).</summary>
    public bool HeldBy(Guid epoch)
    {
        lock (_gate)
        {
            return _members.IsEmpty || _epoch == epoch;
        }
    }

    public bool TryGetMember(long connectionId, [NotNullWhen(true)] out IConnectionSink? connection) =>
        _members.TryGetValue(connectionId, out connection);

    /// <summary>
    /// Takes note of a connection the instance accepted, in the activation and under the lease <paramref name="result"/>
    /// names: if other connections here were registered under another, the instance forgot them, and they must be
    /// restored.
    /// </summary>
    public void Joined(IConnectionSink connection, ConnectResult result)
    {
        lock (_gate)
        {
            if (_members.IsEmpty)
            {
                // The first connection here starts the lease afresh: an instance that forgot this gateway while it
                // had no connections here numbers its batches from the start again.
                (_epoch, _leaseId) = (result.Epoch, result.LeaseId);
                ExpectedSequence = 0;
            }
            else if (result.LeaseId != _leaseId)
            {
                _restoreRequested = true;
            }

            if (result.Epoch == _epoch)
            {
                _gateways = result.Gateways;
            }

            _restoreRequested |= result.AwaitsRestore;
            _members[connection.Id] = connection;
        }
    }

    /// <summary>
    /// The instance asked for this gateway's connections (a new activation that knows the gateway held some in the one
    /// it replaced): the next renewal restores them, even when there are none to restore, which tells the instance so.
    /// </summary>
    public void RequestRestore()
    {
        lock (_gate)
        {
            _restoreRequested = true;
        }
    }

    public void Left(IConnectionSink connection) => _members.TryRemove(connection.Id, out _);

    /// <summary>
    /// Ends the connections here that subscribed with QoS 1 or 2, after deliveries of the instance were lost on the
    /// way: they may have been owed some, and a session without them must not go on as if nothing happened. QoS 0
    /// subscribers may lose messages and stay. Returns how many were ended.
    /// </summary>
    public int AbortReliableSubscribers(string reason)
    {
        var aborted = 0;
        foreach (var connection in _members.Values)
        {
            if (connection.Snapshot().Subscriptions.Any(subscription => subscription.Qos > 0))
            {
                connection.Abort(reason);
                aborted++;
            }
        }

        return aborted;
    }

    /// <summary>Whether a renewal's answer shows that the instance lost this gateway's connections.</summary>
    public bool MustRestore(LeaseRenewal renewal)
    {
        lock (_gate)
        {
            return _restoreRequested || renewal.LeaseId != _leaseId;
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

    /// <summary>The instance holds this gateway's connections again, in the activation and under the lease the renewal names.</summary>
    public void Restored(LeaseRenewal renewal)
    {
        lock (_gate)
        {
            (_epoch, _leaseId, _gateways) = (renewal.Epoch, renewal.LeaseId, renewal.Gateways);
            ExpectedSequence = 0;
        }
    }

    /// <summary>
    /// Renews the lease with the instance, and restores the connections here if it lost them. Returns the renewal and
    /// how many connections were restored (null: none needed).
    /// </summary>
    public async Task<(LeaseRenewal Renewal, int? Restored)> RenewAsync(IInstanceGrain grain, string gatewayId)
    {
        var renewal = await grain.RenewLease(gatewayId);
        if (!MustRestore(renewal))
        {
            return (renewal, null);
        }

        if (renewInbox is not null)
        {
            await renewInbox();
        }

        var snapshots = TakeSnapshots();
        ImmutableArray<string> gateways;
        lock (_gate)
        {
            gateways = _gateways;
        }

        await grain.Restore(gatewayId, snapshots, gateways);
        Restored(renewal);
        return (renewal, snapshots.Length);
    }

    /// <summary>
    /// Starts <see cref="RenewAsync"/> unless one started this way is under way: a sign that the instance was activated
    /// again (a batch from another activation) restores the connections here at once, not at the next renewal.
    /// Returns null when one was under way.
    /// </summary>
    public Task<(LeaseRenewal Renewal, int? Restored)>? TryRenewNow(IInstanceGrain grain, string gatewayId)
    {
        if (Interlocked.Exchange(ref _restoring, 1) == 1)
        {
            return null;
        }

        return RenewOnceAsync();

        async Task<(LeaseRenewal, int?)> RenewOnceAsync()
        {
            try
            {
                return await RenewAsync(grain, gatewayId);
            }
            finally
            {
                Volatile.Write(ref _restoring, 0);
            }
        }
    }

    /// <summary>Takes note of a renewal that needed no restore.</summary>
    public void Renewed(LeaseRenewal renewal)
    {
        lock (_gate)
        {
            ExpectedSequence = renewal.LastSequence;
            _gateways = renewal.Gateways;
        }
    }
}
