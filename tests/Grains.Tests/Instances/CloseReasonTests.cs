using System.Text;
using Broker.Grains.Instances;
using Broker.Grains.Tests.Infrastructure;
using static Broker.Grains.Tests.Infrastructure.TestMessages;

namespace Broker.Grains.Tests.Instances;

/// <summary>
/// An instance tells a gateway why it closes a connection, so that the gateway logs the right reason. (A
/// takeover's reason is asserted with the takeover tests.)
/// </summary>
[Collection(DevelopmentClusterCollection.Name)]
public sealed class CloseReasonTests(DevelopmentCluster cluster)
{
    [Fact]
    public async Task DeletingATokenClosesTheConnectionsItLetInAsRevoked()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var (instance, deleted) = await CreateInstanceWithTokenAsync();
        var kept = (await cluster.Catalog.AddToken(instance, "kept-secret", readOnly: false)).Token!;
        var grain = cluster.Grain(instance);
        Assert.True((await grain.Connect(new ConnectRequest(gateway.Connection(1), "doomed", deleted.Secret, null))).Accepted);
        Assert.True((await grain.Connect(new ConnectRequest(gateway.Connection(2), "kept", kept.Secret, null))).Accepted);

        Assert.Equal(CatalogChange.Done, await cluster.Catalog.DeleteToken(instance, deleted.Id));

        var batch = await gateway.NextAsync();
        Assert.Equal([new ConnectionClose(1, CloseReason.Revoked)], batch.ConnectionsToClose.AsEnumerable());
        Assert.Equal(TokenAccess.Denied, await grain.Authenticate(deleted.Secret));
    }

    [Fact]
    public async Task DeletingAnInstanceClosesItsConnectionsAsRevoked()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var (instance, token) = await CreateInstanceWithTokenAsync();
        var grain = cluster.Grain(instance);
        Assert.True((await grain.Connect(new ConnectRequest(gateway.Connection(1), "doomed", token.Secret, null))).Accepted);

        Assert.Equal(CatalogChange.Done, await cluster.Catalog.Delete(instance));

        var batch = await gateway.NextAsync();
        Assert.Equal([new ConnectionClose(1, CloseReason.Revoked)], batch.ConnectionsToClose.AsEnumerable());
    }

    [Fact]
    public async Task ARestoredConnectionWhoseTokenWasDeletedIsClosedAsRevoked()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);

        await cluster.Grain().Restore(gateway.GatewayId, [new ConnectionSnapshot(8, $"{gateway.GatewayId}-stale", null, [], TokenId: "deleted-token")], gateways: []);

        Assert.Equal([new ConnectionClose(8, CloseReason.Revoked)], (await gateway.NextAsync()).ConnectionsToClose.AsEnumerable());
    }

    [Fact]
    public async Task AConnectionClosedByAnActionIsClosedAsClosedByAction()
    {
        await using var gateway = await GatewayProbe.StartAsync(cluster.Client);
        var grain = cluster.Grain();
        await ConnectAsync(grain, gateway, 1, "target");
        await ConnectAsync(grain, gateway, 2, "actor");
        var targetId = new ConnectionEntry(gateway.Connection(1), "target", false, null, null).Id;
        var action = new PublishedMessage(SystemTopics.Action, Encoding.UTF8.GetBytes($$"""{"type":"close","target_id":"{{targetId}}"}"""), 0, false, PublisherId: 2);

        await grain.Publish(Batch(gateway, action));

        Assert.Equal([new ConnectionClose(1, CloseReason.ClosedByAction)], (await gateway.NextAsync()).ConnectionsToClose.AsEnumerable());
    }

    [Theory]
    [InlineData(CloseReason.TakenOver, "session taken over by a newer connection with the same client id")]
    [InlineData(CloseReason.Revoked, "its token or instance was deleted")]
    [InlineData(CloseReason.ClosedByAction, "closed by an $action")]
    public void EachReasonHasItsOwnWords(CloseReason reason, string words) => Assert.Equal(words, reason.Describe());

    private async Task<(string Instance, TokenDefinition Token)> CreateInstanceWithTokenAsync()
    {
        var instance = UniquePrefix();
        Assert.Equal(CatalogChange.Done, await cluster.Catalog.Create(instance, allowAnonymous: false));
        var addition = await cluster.Catalog.AddToken(instance, $"{instance}-secret", readOnly: false);
        Assert.Equal(CatalogChange.Done, addition.Change);
        return (instance, addition.Token!);
    }
}
