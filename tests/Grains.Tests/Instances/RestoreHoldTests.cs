using Broker.Grains.Instances;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Grains.Tests.Instances;

/// <summary>
/// When an activation holds QoS 1 and 2 publishes back, on fake time: from the first restore of new connections into
/// it while it is younger than the window, until every gateway a restore named has restored, and at most until the
/// window after the activation; each named gateway is to be told once; and nothing is held for a restore that brought
/// no new connection, one after the window, or with a zero window.
/// </summary>
public sealed class RestoreHoldTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void ARestoreIntoAYoungActivationHoldsUntilEveryGatewayItNamedHasRestored()
    {
        var hold = new RestoreHold(Window, _time);
        var before = hold.IsHolding;
        _time.Advance(TimeSpan.FromSeconds(5));

        var first = hold.Restored("a", connections: 3, ["a", "b", "c"]);
        var afterTheFirst = hold.IsHolding;
        var second = hold.Restored("b", connections: 1, ["a", "b", "d"]);
        var afterTheSecond = hold.IsHolding;
        var third = hold.Restored("c", connections: 2, ["a", "b", "c"]);
        var afterTheThird = hold.IsHolding;
        var fourth = hold.Restored("d", connections: 1, []);

        Assert.False(before);
        Assert.Equal(TimeSpan.FromSeconds(15), first.Started);
        Assert.Equal(["b", "c"], first.Unheard);
        Assert.True(afterTheFirst);
        Assert.Null(second.Started);
        Assert.Equal(["d"], second.Unheard);
        Assert.True(afterTheSecond);
        Assert.Empty(third.Unheard);
        Assert.True(afterTheThird);
        Assert.Empty(fourth.Unheard);
        Assert.False(hold.IsHolding);
    }

    [Fact]
    public void TheHoldEndsAtTheWindowAfterTheActivationThoughANamedGatewayNeverRestored()
    {
        var hold = new RestoreHold(Window, _time);
        _time.Advance(TimeSpan.FromSeconds(5));

        hold.Restored("a", connections: 1, ["a", "gone"]);
        _time.Advance(TimeSpan.FromSeconds(15) - TimeSpan.FromTicks(1));
        var justBefore = hold.IsHolding;
        _time.Advance(TimeSpan.FromTicks(1));

        Assert.True(justBefore);
        Assert.False(hold.IsHolding);
    }

    [Fact]
    public void GatewaysOnRecordAtActivationAreAwaitedUntilEachHasRestoredThoughWithNothing()
    {
        var hold = new RestoreHold(Window, _time);

        hold.Expect(["a", "b"]);
        var awaitsA = hold.Awaits("a");
        var awaitsOther = hold.Awaits("c");
        var restored = hold.Restored("a", connections: 0, []);
        var afterA = (hold.IsHolding, hold.Awaits("a"), hold.Awaits("b"));
        hold.Restored("b", connections: 0, []);

        Assert.True(awaitsA);
        Assert.False(awaitsOther);
        Assert.Null(restored.Started);
        Assert.Equal((true, false, true), afterA);
        Assert.False(hold.IsHolding);
    }

    [Fact]
    public void AHoldForGatewaysOnRecordEndsAtTheWindowAfterTheActivation()
    {
        var hold = new RestoreHold(Window, _time);
        hold.Expect(["gone"]);

        _time.Advance(Window - TimeSpan.FromTicks(1));
        var justBefore = hold.IsHolding;
        _time.Advance(TimeSpan.FromTicks(1));

        Assert.True(justBefore);
        Assert.False(hold.IsHolding);
        Assert.False(hold.Awaits("gone"));
    }

    [Fact]
    public void ARestoreThatRegisteredNoNewConnectionStartsNoHold()
    {
        var hold = new RestoreHold(Window, _time);

        var restored = hold.Restored("a", connections: 0, ["a", "b"]);

        Assert.Null(restored.Started);
        Assert.Empty(restored.Unheard);
        Assert.False(hold.IsHolding);
    }

    [Fact]
    public void ARestoreIntoAnActivationOlderThanTheWindowStartsNoHold()
    {
        var hold = new RestoreHold(Window, _time);
        _time.Advance(Window);

        var restored = hold.Restored("a", connections: 1, ["a", "b"]);

        Assert.Null(restored.Started);
        Assert.Empty(restored.Unheard);
        Assert.False(hold.IsHolding);
    }

    [Fact]
    public void AZeroWindowHoldsNothing()
    {
        var hold = new RestoreHold(TimeSpan.Zero, _time);

        var restored = hold.Restored("a", connections: 1, ["a", "b"]);

        Assert.Null(restored.Started);
        Assert.Empty(restored.Unheard);
        Assert.False(hold.IsHolding);
    }
}
