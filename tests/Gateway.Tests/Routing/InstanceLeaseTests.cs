using Broker.Gateway.Routing;
using Broker.Grains;

namespace Broker.Gateway.Tests.Routing;

/// <summary>
/// When the gateway restores its connections with an instance: only when the instance answers under another lease
/// than the one they were registered under, never because answers to joins arrived in another order.
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
        _lease.Joined(new RecordingSink(2), _leaseId);
        _lease.Joined(new RecordingSink(1), _leaseId);

        Assert.False(_lease.MustRestore(new LeaseRenewal(Epoch, _leaseId, LastSequence: 0)));
    }

    [Fact]
    public void AJoinUnderAnotherLeaseAsksForARestoreOfTheOthers()
    {
        _lease.Joined(new RecordingSink(1), _leaseId);
        var renewed = Guid.NewGuid();
        _lease.Joined(new RecordingSink(2), renewed);

        Assert.True(_lease.MustRestore(new LeaseRenewal(Epoch, renewed, LastSequence: 0)));
        Assert.Equal([1L, 2L], _lease.TakeSnapshots().Select(snapshot => snapshot.ConnectionId).Order());
        _lease.Restored(renewed);
        Assert.False(_lease.MustRestore(new LeaseRenewal(Epoch, renewed, LastSequence: 0)));
    }

    [Fact]
    public void ARenewalUnderAnotherLeaseAsksForARestoreUntilRestored()
    {
        _lease.Joined(new RecordingSink(1), _leaseId);
        var renewal = new LeaseRenewal(Guid.NewGuid(), Guid.NewGuid(), LastSequence: 0);

        Assert.True(_lease.MustRestore(renewal));
        _lease.Restored(renewal.LeaseId);
        Assert.False(_lease.MustRestore(renewal));
    }

    [Fact]
    public void TheFirstJoinAfterTheLastConnectionLeftStartsAfreshUnderItsLease()
    {
        var first = new RecordingSink(1);
        _lease.Joined(first, _leaseId);
        _lease.Renewed(new LeaseRenewal(Epoch, _leaseId, LastSequence: 7));
        _lease.Left(first);

        var next = Guid.NewGuid();
        _lease.Joined(new RecordingSink(2), next);

        Assert.False(_lease.MustRestore(new LeaseRenewal(Epoch, next, LastSequence: 0)));
        Assert.Equal(0, _lease.ExpectedSequence);
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
            _lease.Joined(sink, _leaseId);
        }

        Assert.Equal(2, _lease.AbortReliableSubscribers("batches lost"));

        Assert.True(atLeastOnce.Aborted.Reader.TryRead(out var reason));
        Assert.Equal("batches lost", reason);
        Assert.True(exactlyOnce.Aborted.Reader.TryRead(out _));
        Assert.False(atMostOnce.Aborted.Reader.TryRead(out _));
        Assert.False(publisherOnly.Aborted.Reader.TryRead(out _));
    }
}
