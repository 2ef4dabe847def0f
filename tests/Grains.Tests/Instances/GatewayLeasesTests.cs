using Broker.Grains.Instances;
using Broker.Grains.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Grains.Tests.Instances;

/// <summary>Leases on fake time: a test moves the clock instead of waiting for it.</summary>
public sealed class GatewayLeasesTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new();
    private readonly Dictionary<string, RecordingInbox> _inboxes = new(StringComparer.Ordinal);
    private readonly RecordingLogger _logger = new();
    private readonly GatewayLeases _leases;

    public GatewayLeasesTests() => _leases = new GatewayLeases("i", Duration, keepsCallOrder: true, _time, Open, _logger);

    [Fact]
    public void AGatewayIsUnknownUntilItRenewsAndThenHasOneOutbox()
    {
        Assert.False(_leases.IsKnown("gw"));

        var first = _leases.Renew("gw");
        var second = _leases.Renew("gw");

        Assert.Same(first, second);
        Assert.True(_leases.IsKnown("gw"));
        Assert.Equal(["gw"], _inboxes.Keys);
    }

    [Fact]
    public void ALeaseRunsOutWhenItsWholeDurationPassedWithoutRenewal()
    {
        var gateway = _leases.Renew("gw");
        gateway.Connections.Add(4);

        _time.Advance(Duration);
        Assert.Empty(_leases.Expire());
        Assert.True(_leases.IsKnown("gw"));

        _time.Advance(TimeSpan.FromTicks(1));
        var expired = Assert.Single(_leases.Expire());
        Assert.Same(gateway, expired);
        Assert.Equal([4L], expired.Connections);
        Assert.False(_leases.IsKnown("gw"));
        Assert.Empty(_leases.Expire());
    }

    [Fact]
    public void ALeaseThatRunsOutWithConnectionsIsAWarning()
    {
        _leases.Attach(new ConnectionAddress("gw", 1));
        _leases.Attach(new ConnectionAddress("gw", 2));

        _time.Advance(Duration + TimeSpan.FromSeconds(1));
        _leases.Expire();

        Assert.Equal([(LogLevel.Warning, "Instance i: lease of gateway gw expired, dropping its 2 connections")], _logger.Entries);
    }

    [Fact]
    public void ALeaseThatRunsOutAfterItsLastConnectionLeftIsForgottenWithoutAWarning()
    {
        _leases.Attach(new ConnectionAddress("gw", 1));
        _time.Advance(TimeSpan.FromSeconds(5));
        _leases.Detach(new ConnectionAddress("gw", 1));

        _time.Advance(Duration);
        var expired = Assert.Single(_leases.Expire());

        Assert.Empty(expired.Connections);
        Assert.False(_leases.IsKnown("gw"));
        Assert.Equal([(LogLevel.Debug, "Instance i: lease of gateway gw expired; it had no connections left")], _logger.Entries);
    }

    [Fact]
    public void RenewingStartsTheDurationAgain()
    {
        _leases.Renew("gw");
        _time.Advance(Duration - TimeSpan.FromSeconds(1));

        _leases.Renew("gw");
        _time.Advance(Duration - TimeSpan.FromSeconds(1));

        Assert.Empty(_leases.Expire());
        Assert.True(_leases.IsKnown("gw"));
    }

    [Fact]
    public void OnlyTheGatewaysThatStoppedRenewingExpire()
    {
        _leases.Renew("silent");
        _leases.Renew("renewing");
        _time.Advance(TimeSpan.FromSeconds(20));
        _leases.Renew("renewing");
        _time.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal(["silent"], _leases.Expire().Select(gateway => gateway.GatewayId));
        Assert.True(_leases.IsKnown("renewing"));
    }

    [Fact]
    public void AGatewaySeenAgainAfterItsLeaseRanOutGetsANewOutboxWithANewLeaseId()
    {
        var before = _leases.Renew("gw");
        Assert.Equal(before.LeaseId, _leases.Renew("gw").LeaseId);
        _time.Advance(Duration + TimeSpan.FromSeconds(1));
        _leases.Expire();

        var after = _leases.Renew("gw");

        Assert.NotSame(before, after);
        Assert.NotEqual(before.LeaseId, after.LeaseId);
        Assert.True(_leases.IsKnown("gw"));
    }

    [Fact]
    public async Task SendingHandsEachGatewayWhatTheTurnCollectedForIt()
    {
        var message = new PublishedMessage("t", [1], 1, false);
        _leases.Renew("busy").AddDelivery(message, 3, 1, rootSlash: false);
        _leases.Renew("idle");
        _time.Advance(TimeSpan.FromSeconds(5));

        await _leases.SendAsync(confirm: true);

        var batch = Assert.Single(_inboxes["busy"].Batches);
        Assert.Equal(("i", 1L, _time.GetUtcNow().UtcTicks), (batch.Instance, batch.Sequence, batch.SentAtUtcTicks));
        Assert.Equal([new Delivery(0, 3, 1)], batch.Deliveries.AsEnumerable());
        Assert.Empty(_inboxes["idle"].Batches);
        await _leases.SendAsync(confirm: true);
        Assert.Single(_inboxes["busy"].Batches);
    }

    [Fact]
    public void AnAttachedConnectionCountsOnItsGatewayUntilDetached()
    {
        _leases.Attach(new ConnectionAddress("gw", 1));
        _leases.Attach(new ConnectionAddress("gw", 2));
        _leases.Detach(new ConnectionAddress("gw", 1));
        _leases.Detach(new ConnectionAddress("unknown", 1));

        Assert.Equal([2L], _leases.Renew("gw").Connections);
        Assert.False(_leases.IsKnown("unknown"));
    }

    [Fact]
    public async Task DeliveriesAndClosesReachOnlyGatewaysThatHoldALease()
    {
        var message = new PublishedMessage("t", [1], 2, false);
        _leases.Attach(new ConnectionAddress("gw", 1));

        Assert.True(_leases.Deliver(new ConnectionAddress("gw", 1), message, 2, rootSlash: true));
        Assert.False(_leases.Deliver(new ConnectionAddress("unknown", 1), message, 2, rootSlash: true));
        _leases.Close(new ConnectionAddress("gw", 1), CloseReason.Revoked);
        _leases.Close(new ConnectionAddress("unknown", 1), CloseReason.Revoked);
        await _leases.SendAsync(confirm: true);

        var batch = Assert.Single(_inboxes["gw"].Batches);
        Assert.Equal([new Delivery(0, 1, 2, RootSlash: true)], batch.Deliveries.AsEnumerable());
        Assert.Equal([new ConnectionClose(1, CloseReason.Revoked)], batch.ConnectionsToClose.AsEnumerable());
        Assert.False(_leases.IsKnown("unknown"));
    }

    private GatewayOutbox Open(string gatewayId)
    {
        var inbox = new RecordingInbox();
        _inboxes[gatewayId] = inbox;
        return new GatewayOutbox(gatewayId, "i", Guid.NewGuid(), inbox, keepsCallOrder: true, _time);
    }
}
