using Broker.Grains.Catalog;
using Broker.Grains.Storage;
using Broker.Grains.Tests.Infrastructure;
using Orleans.Storage;

namespace Broker.Grains.Tests.Storage;

/// <summary>The development broker's grain state, which also imports, once, the file an earlier version wrote.</summary>
public sealed class SqliteGrainStorageTests() : GrainStorageContract(new SqliteTestDatabase())
{
    [Fact]
    public async Task AStateFileOfAnEarlierVersionIsImportedOnceAndRemoved()
    {
        var filesRoot = Path.Combine(((SqliteTestDatabase)Database).Folder, "grains");
        var file = EarlierStateFiles.PathOf(filesRoot, "catalog", Grain);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.Copy(LegacyCatalogCluster.GoldenFile, file);

        var imported = new GrainState<CatalogState>();
        await (await NewStorageAsync(filesRoot)).ReadStateAsync("catalog", Grain, imported);
        var again = new GrainState<CatalogState>();
        await (await NewStorageAsync(filesRoot)).ReadStateAsync("catalog", Grain, again);

        Assert.False(File.Exists(file));
        Assert.True(imported.RecordExists);
        Assert.Equal(imported.ETag, again.ETag);
        Assert.Equal(
            [new TokenDefinition("0123456789abcdef", "legacy-secret"), new TokenDefinition("fedcba9876543210", "legacy-reader", ReadOnly: true)],
            Assert.Single(again.State!.Instances.Values).Tokens.AsEnumerable());
    }
}
