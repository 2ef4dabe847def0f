using Broker.Grains.Instances;

namespace Broker.Grains.Tests.Instances;

public sealed class ConnectionTableTests
{
    private static readonly ConnectionAddress First = new("gw-a", 1);
    private static readonly ConnectionAddress Second = new("gw-b", 7);

    [Fact]
    public void ARegisteredConnectionIsFoundByAddressClientIdAndId()
    {
        var table = new ConnectionTable();

        var entry = table.Register(First, "device", readOnly: true, "token-1", null, out var takenOver);

        Assert.Null(takenOver);
        Assert.Equal(1, table.Count);
        Assert.True(table.TryGet(First, out var found));
        Assert.Same(entry, found);
        Assert.Same(entry, table.Find(First));
        Assert.Same(entry, table.FindById(entry.Id));
        Assert.True(table.HoldsClientId("device"));
        Assert.Equal(("device", true, "token-1"), (entry.ClientId, entry.ReadOnly, entry.TokenId));
    }

    [Fact]
    public void ANewerConnectionWithTheSameClientIdOnAnotherGatewayTakesTheSessionOver()
    {
        var table = new ConnectionTable();
        var older = table.Register(First, "device", readOnly: false, null, null, out _);

        var newer = table.Register(Second, "device", readOnly: false, null, null, out var takenOver);

        Assert.Same(older, takenOver);
        Assert.Equal([newer], table.All);
        Assert.Null(table.Find(First));
        Assert.Same(newer, table.Find(Second));
        Assert.True(table.HoldsClientId("device"));
    }

    [Fact]
    public void OtherClientIdsAreNotTakenOver()
    {
        var table = new ConnectionTable();
        table.Register(First, "one", readOnly: false, null, null, out _);

        table.Register(Second, "two", readOnly: false, null, null, out var takenOver);

        Assert.Null(takenOver);
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void RegisteringTheSameAddressAgainReplacesTheEntryWithoutATakeover()
    {
        var table = new ConnectionTable();
        var older = table.Register(First, "device", readOnly: false, null, null, out _);

        var newer = table.Register(First, "device", readOnly: true, null, null, out var takenOver);

        Assert.Null(takenOver);
        Assert.NotSame(older, newer);
        Assert.Same(newer, table.Find(First));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void RemovingForgetsTheAddressAndTheClientId()
    {
        var table = new ConnectionTable();
        var entry = table.Register(First, "device", readOnly: false, null, null, out _);

        Assert.True(table.Remove(entry));

        Assert.Equal(0, table.Count);
        Assert.False(table.TryGet(First, out _));
        Assert.False(table.HoldsClientId("device"));
        Assert.False(table.Remove(entry));
    }

    [Fact]
    public void RemovingATakenOverConnectionLeavesTheNewerSessionAlone()
    {
        var table = new ConnectionTable();
        var older = table.Register(First, "device", readOnly: false, null, null, out _);
        var newer = table.Register(Second, "device", readOnly: false, null, null, out _);

        Assert.False(table.Remove(older));

        Assert.Same(newer, table.Find(Second));
        Assert.True(table.HoldsClientId("device"));
    }
}
