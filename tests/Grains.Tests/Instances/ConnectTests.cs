using Broker.Grains.Tests.Infrastructure;

namespace Broker.Grains.Tests.Instances;

[Collection(DevelopmentClusterCollection.Name)]
public sealed class ConnectTests(DevelopmentCluster cluster)
{
    [Fact]
    public async Task ConnectWithAConfiguredTokenIsAcceptedWithFullAccess()
    {
        var result = await cluster.Grain().Connect(new ConnectRequest(new ConnectionAddress("gw-connect", 1), "c1", BrokerCluster.Secret, null));

        Assert.True(result.Accepted);
        Assert.False(result.ReadOnly);
        Assert.NotEqual(Guid.Empty, result.Epoch);
    }

    [Fact]
    public async Task ConnectWithAReadOnlyTokenIsAcceptedReadOnly()
    {
        var result = await cluster.Grain().Connect(new ConnectRequest(new ConnectionAddress("gw-connect", 2), "c2", BrokerCluster.ReadOnlySecret, null));

        Assert.True(result.Accepted);
        Assert.True(result.ReadOnly);
    }

    [Fact]
    public async Task ConnectWithAWrongSecretIsRejected()
    {
        var result = await cluster.Grain().Connect(new ConnectRequest(new ConnectionAddress("gw-connect", 3), "c3", "wrong", null));

        Assert.False(result.Accepted);
    }

    [Fact]
    public async Task ConnectWithTheSecretOfAnotherInstanceIsRejected()
    {
        var result = await cluster.Grain(BrokerCluster.OtherInstance).Connect(new ConnectRequest(new ConnectionAddress("gw-connect", 4), "c4", BrokerCluster.Secret, null));

        Assert.False(result.Accepted);
    }

    [Fact]
    public async Task ConnectWithoutASecretIsRejectedByAConfiguredInstance()
    {
        var result = await cluster.Grain().Connect(new ConnectRequest(new ConnectionAddress("gw-connect", 5), "c5", null, null));

        Assert.False(result.Accepted);
    }

    [Fact]
    public async Task ConnectToAnUnknownInstanceIsRejected()
    {
        var result = await cluster.Grain("no-such-instance").Connect(new ConnectRequest(new ConnectionAddress("gw-connect", 6), "c6", BrokerCluster.Secret, null));

        Assert.False(result.Accepted);
    }

    [Fact]
    public async Task DevelopmentModeLetsAClientWithoutASecretIntoTheLocalInstance()
    {
        var result = await cluster.Grain("local").Connect(new ConnectRequest(new ConnectionAddress("gw-connect", 7), "c7", null, null));

        Assert.True(result.Accepted);
        Assert.False(result.ReadOnly);
    }

    [Fact]
    public async Task DevelopmentModeSeedsThePublicInstanceWithTokenPublic()
    {
        var result = await cluster.Grain("public").Connect(new ConnectRequest(new ConnectionAddress("gw-connect", 8), "c8", "public", null));

        Assert.True(result.Accepted);
    }

    [Fact]
    public async Task TheEpochStaysTheSameWithinOneActivation()
    {
        var first = await cluster.Grain().Connect(new ConnectRequest(new ConnectionAddress("gw-connect", 9), "c9", BrokerCluster.Secret, null));
        var renewed = await cluster.Grain().RenewLease("gw-connect");

        Assert.Equal(first.Epoch, renewed.Epoch);
        Assert.Equal(first.LeaseId, renewed.LeaseId);
    }
}
