using Broker.Grains.Instances;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Grains.Tests.Instances;

/// <summary>
/// When an activation holds QoS 1 and 2 publishes back, on fake time: from the first restore of new connections into
/// it while it is younger than the window, until the window after its activation; never for a restore that brought
/// nothing new, one after the window, or with a zero window.
/// </summary>
public sealed class RestoreHoldTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void ConnectionsRestoredIntoAYoungActivationHoldUntilTheWindowAfterTheActivation()
    {
        var hold = new RestoreHold(Window, _time);
        var before = hold.IsHolding;
        _time.Advance(TimeSpan.FromSeconds(5));

        var started = hold.Restored(connections: 3);
        var again = hold.Restored(connections: 2);
        _time.Advance(TimeSpan.FromSeconds(15) - TimeSpan.FromTicks(1));
        var justBefore = hold.IsHolding;
        _time.Advance(TimeSpan.FromTicks(1));

        Assert.False(before);
        Assert.Equal(TimeSpan.FromSeconds(15), started);
        Assert.Null(again);
        Assert.True(justBefore);
        Assert.False(hold.IsHolding);
    }

    [Fact]
    public void ARestoreThatRegisteredNoNewConnectionHoldsNothing()
    {
        var hold = new RestoreHold(Window, _time);

        Assert.Null(hold.Restored(connections: 0));
        Assert.False(hold.IsHolding);
    }

    [Fact]
    public void ARestoreIntoAnActivationOlderThanTheWindowHoldsNothing()
    {
        var hold = new RestoreHold(Window, _time);
        _time.Advance(Window);

        Assert.Null(hold.Restored(connections: 1));
        Assert.False(hold.IsHolding);
    }

    [Fact]
    public void AZeroWindowHoldsNothing()
    {
        var hold = new RestoreHold(TimeSpan.Zero, _time);

        Assert.Null(hold.Restored(connections: 1));
        Assert.False(hold.IsHolding);
    }
}
