using System.Text;
using Broker.Grains.Storage;
using Broker.Grains.Tests.Infrastructure;

namespace Broker.Grains.Tests.Catalog;

/// <summary>
/// Token secrets never reach the catalog's storage in plain text, and tokens stored before that (in a catalog file of
/// an earlier version, which the database imports) still work.
/// </summary>
public sealed class TokenSecretStorageTests(LegacyCatalogCluster cluster) : IClassFixture<LegacyCatalogCluster>
{
    [Fact]
    public async Task ACreatedTokensSecretIsStoredOnlyHashedInADatabaseOfTheOwnersAloneAndStillLetsClientsIn()
    {
        var instance = TestMessages.UniquePrefix();
        var secret = $"{instance}-secret";
        Assert.Equal(CatalogChange.Done, await cluster.Catalog.Create(instance, allowAnonymous: false));

        var addition = await cluster.Catalog.AddToken(instance, secret, readOnly: false);

        Assert.Equal(secret, addition.Token!.Secret);
        var stored = await cluster.StoredCatalogAsync();
        Assert.Equal(-1, stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));
        Assert.True(stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(instance)) >= 0);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(BrokerDatabase.OwnerFileMode, File.GetUnixFileMode(cluster.DatabaseFile));
        }

        var grain = cluster.Grain(instance);
        Assert.Equal(TokenAccess.ReadWrite, await grain.Authenticate(secret));
        Assert.Equal(TokenAccess.Denied, await grain.Authenticate($"{secret}-wrong"));
        var handedOut = Assert.Single((await cluster.Catalog.Get(instance))!.Tokens);
        Assert.Equal((addition.Token.Id, ""), (handedOut.Id, handedOut.Secret));
        Assert.NotNull(handedOut.Hash);
    }

    [Fact]
    public async Task TokensStoredInPlainTextBeforeHashingStillLetClientsInAndAreStoredHashedFromThenOn()
    {
        var grain = cluster.Grain(LegacyCatalogCluster.LegacyInstance);

        Assert.Equal(TokenAccess.ReadWrite, await grain.Authenticate(LegacyCatalogCluster.LegacySecret));
        Assert.Equal(TokenAccess.ReadOnly, await grain.Authenticate(LegacyCatalogCluster.LegacyReadOnlySecret));
        Assert.Equal(TokenAccess.Denied, await grain.Authenticate("wrong"));

        // The catalog hashed the plain secrets when it read them, kept the tokens' ids, and wrote the state back, into
        // the database, which took the file's place.
        Assert.False(File.Exists(cluster.CatalogFile));
        var stored = await cluster.StoredCatalogAsync();
        Assert.True(stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(LegacyCatalogCluster.LegacyInstance)) >= 0);
        Assert.Equal(-1, stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(LegacyCatalogCluster.LegacySecret)));
        Assert.Equal(-1, stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(LegacyCatalogCluster.LegacyReadOnlySecret)));
        var tokens = (await cluster.Catalog.Get(LegacyCatalogCluster.LegacyInstance))!.Tokens;
        Assert.Equal([("0123456789abcdef", "", false), ("fedcba9876543210", "", true)], tokens.Select(token => (token.Id, token.Secret, token.ReadOnly)));
        Assert.All(tokens, token => Assert.NotNull(token.Hash));
    }

    [Fact]
    public async Task ConfiguredTokensAreHandedOutHashed()
    {
        var token = (await cluster.Catalog.Get(BrokerCluster.Instance))!.Tokens[0];

        Assert.Equal("", token.Secret);
        Assert.NotNull(token.Hash);
        Assert.Equal(TokenAccess.ReadWrite, await cluster.Grain().Authenticate(BrokerCluster.Secret));
    }
}
