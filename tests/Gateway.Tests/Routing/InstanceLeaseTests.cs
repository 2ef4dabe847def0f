using Broker.Gateway.Routing;
using Broker.Grains;

namespace Broker.Gateway.Tests.Routing;

/// <summary>
/// When the gateway restores its connections with an instance: only when the instance answers under another lease
/// than the one they were registered under, never because answers to joins arrived in another order; and which
/// activation holds them.
/// </summary>
public sealed class InstanceLeaseTests
{
    private static readonly Guid Epoch = Guid.NewGuid();
    private readonly InstanceLease _lease = new();
    private readonly Guid _leaseId = Guid.NewGuid();

    [Fact]
    public void ConnectionsThatJoinedUnderOneLeaseNeedNoRestoreWhicheverAnswerCameFirst()
    {
        // The instance opened the lease for the first of two concurrent joins; the second answer came back first.
        Join(new RecordingSink(2), _leaseId);
        Join(new RecordingSink(1), _leaseId);

        Assert.False(_lease.MustRestore(new LeaseRenewal(Epoch, _leaseId, LastSequence: 0, Gateways: [])));
    }

    [Fact]
    public void AJoinUnderAnotherLeaseAsksForARestoreOfTheOthers()
    {
        Join(new RecordingSink(1), _leaseId);
        var renewed = Guid.NewGuid();
        Join(new RecordingSink(2), renewed);

        Assert.True(_lease.MustRestore(new LeaseRenewal(Epoch, renewed, LastSequence: 0, Gateways: [])));
        Assert.Equal([1L, 2L], _lease.TakeSnapshots().Select(snapshot => snapshot.ConnectionId).Order());
        _lease.Restored(new LeaseRenewal(Epoch, renewed, LastSequence: 0, Gateways: []));
        Assert.False(_lease.MustRestore(new LeaseRenewal(Epoch, renewed, LastSequence: 0, Gateways: [])));
    }

    [Fact]
    public void ARenewalUnderAnotherLeaseAsksForARestoreUntilRestored()
    {
        Join(new RecordingSink(1), _leaseId);
        var renewal = new LeaseRenewal(Guid.NewGuid(), Guid.NewGuid(), LastSequence: 0, Gateways: []);

        Assert.True(_lease.MustRestore(renewal));
        _lease.Restored(renewal);
        Assert.False(_lease.MustRestore(renewal));
    }

    [Fact]
    public void TheFirstJoinAfterTheLastConnectionLeftStartsAfreshUnderItsLease()
    {
        var first = new RecordingSink(1);
        Join(first, _leaseId);
        _lease.Renewed(new LeaseRenewal(Epoch, _leaseId, LastSequence: 7, Gateways: []));
        _lease.Left(first);

        var next = Guid.NewGuid();
        Join(new RecordingSink(2), next);

        Assert.False(_lease.MustRestore(new LeaseRenewal(Epoch, next, LastSequence: 0, Gateways: [])));
        Assert.Equal(0, _lease.ExpectedSequence);
    }

    [Fact]
    public async Task ARestoreRenewsTheInboxSubscriptionFirstAndNamesTheGatewaysTheLostActivationKnew()
    {
        var grain = new FakeInstanceGrain();
        var restoresBeforeTheInbox = -1;
        var lease = new InstanceLease(() =>
        {
            restoresBeforeTheInbox = grain.Restores.Reader.Count;
            return Task.CompletedTask;
        });
        lease.Joined(new RecordingSink(1), new ConnectResult(true, false, Epoch, _leaseId, Gateways: ["gateway-1", "gateway-2"]));

        var (renewal, restored) = await lease.RenewAsync(grain, "gateway-1");
        var restore = await grain.Restores.Reader.ReadAsync();

        Assert.Equal(0, restoresBeforeTheInbox);
        Assert.Equal(1, restored);
        Assert.Equal([1L], restore.Connections.Select(snapshot => snapshot.ConnectionId));
        Assert.Equal(["gateway-1", "gateway-2"], restore.Gateways.AsEnumerable());
        Assert.True(lease.HeldBy(renewal.Epoch));
        Assert.Equal(grain.LeaseId, lease.LeaseId);
    }

    [Fact]
    public async Task AFirstJoinIntoAnActivationThatAwaitsThisGatewayRestoresWhatThereIs()
    {
        var grain = new FakeInstanceGrain();
        var lease = new InstanceLease();
        lease.Joined(new RecordingSink(1), new ConnectResult(true, false, Epoch, grain.LeaseId, Gateways: [], AwaitsRestore: true));

        var (_, restored) = await lease.RenewAsync(grain, "gateway-1");
        var restore = await grain.Restores.Reader.ReadAsync();
        var (_, again) = await lease.RenewAsync(grain, "gateway-1");

        Assert.Equal(1, restored);
        Assert.Equal([1L], restore.Connections.Select(snapshot => snapshot.ConnectionId));
        Assert.Null(again);
    }

    [Fact]
    public async Task AWakeUpOfALeaseWithoutConnectionsIsAnsweredWithAnEmptyRestore()
    {
        var grain = new FakeInstanceGrain();
        var lease = new InstanceLease();

        lease.RequestRestore();
        var (_, restored) = await lease.RenewAsync(grain, "gateway-1");
        var restore = await grain.Restores.Reader.ReadAsync();

        Assert.Equal(0, restored);
        Assert.Empty(restore.Connections);
    }

    [Fact]
    public void TheConnectionsAreHeldByTheActivationTheyJoinedOrWereRestoredInto()
    {
        var emptyHeldByAny = _lease.HeldBy(Guid.NewGuid());
        Join(new RecordingSink(1), _leaseId);
        var heldByTheJoined = _lease.HeldBy(Epoch);
        var heldByAnother = _lease.HeldBy(Guid.NewGuid());
        var next = new LeaseRenewal(Guid.NewGuid(), Guid.NewGuid(), LastSequence: 0, Gateways: ["gateway-1", "gateway-2"]);
        _lease.Restored(next);

        Assert.True(emptyHeldByAny);
        Assert.True(heldByTheJoined);
        Assert.False(heldByAnother);
        Assert.True(_lease.HeldBy(next.Epoch));
        Assert.False(_lease.HeldBy(Epoch));
    }

    [Fact]
    public void LostDeliveriesEndTheConnectionsThatSubscribedWithQoS1Or2AndNoOthers()
    {
        var atMostOnce = new RecordingSink(1, new SubscriptionRequest("a/#", 0));
        var atLeastOnce = new RecordingSink(2, new SubscriptionRequest("a/#", 0), new SubscriptionRequest("b", 1));
        var exactlyOnce = new RecordingSink(3, new SubscriptionRequest("c", 2));
        var publisherOnly = new RecordingSink(4);
        foreach (var sink in new[] { atMostOnce, atLeastOnce, exactlyOnce, publisherOnly })
        {
            Join(sink, _leaseId);
        }

        Assert.Equal(2, _lease.AbortReliableSubscribers("batches lost"));

        Assert.True(atLeastOnce.Aborted.Reader.TryRead(out var reason));
        Assert.Equal("batches lost", reason);
        Assert.True(exactlyOnce.Aborted.Reader.TryRead(out _));
        Assert.False(atMostOnce.Aborted.Reader.TryRead(out _));
        Assert.False(publisherOnly.Aborted.Reader.TryRead(out _));
    }

    /// <summary>A connection the instance accepted in the activation <see cref="Epoch"/> under <paramref name="leaseId"/>.</summary>
    private void Join(RecordingSink connection, Guid leaseId) =>
        _lease.Joined(connection, new ConnectResult(true, false, Epoch, leaseId, Gateways: []));
}
