using Broker.Grains.Catalog;
using Broker.Grains.Storage;
using Broker.Grains.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Broker.Grains.Tests.Storage;

/// <summary>
/// Grain state in the development broker's database: read back after a restart, guarded by ETags, cleared, and
/// imported once from the file an earlier version wrote.
/// </summary>
public sealed class SqliteGrainStorageTests : IDisposable
{
    private static readonly GrainId Grain = GrainId.Create("catalog", "0");

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"broker-sqlite-storage-{Guid.NewGuid():N}");
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private string FilesRoot => Path.Combine(_root, "grains");

    [Fact]
    public async Task WrittenStateIsReadBackByAStorageStartedLater()
    {
        var written = new GrainState<CatalogState>(new CatalogState());
        written.State!.Instances["demo"] = new InstanceDefinition("demo", [new TokenDefinition("t1", "s1", ReadOnly: true)]);

        await NewStorage().WriteStateAsync("catalog", Grain, written);
        var read = new GrainState<CatalogState>();
        await NewStorage().ReadStateAsync("catalog", Grain, read);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        var instance = Assert.Single(read.State!.Instances.Values);
        Assert.Equal(new TokenDefinition("t1", "s1", ReadOnly: true), Assert.Single(instance.Tokens));
    }

    [Fact]
    public async Task MissingStateIsAFreshOneWithoutRecord()
    {
        var read = new GrainState<CatalogState>();

        await NewStorage().ReadStateAsync("catalog", Grain, read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Empty(read.State!.Instances);
    }

    [Fact]
    public async Task AWriteWithAStaleETagIsRefused()
    {
        var storage = NewStorage();
        var first = new GrainState<CatalogState>(new CatalogState());
        await storage.WriteStateAsync("catalog", Grain, first);
        var stale = new GrainState<CatalogState>(new CatalogState()) { ETag = first.ETag };
        await storage.WriteStateAsync("catalog", Grain, first);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("catalog", Grain, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("catalog", Grain, new GrainState<CatalogState>(new CatalogState())));
    }

    [Fact]
    public async Task ClearedStateIsGone()
    {
        var storage = NewStorage();
        var state = new GrainState<CatalogState>(new CatalogState());
        await storage.WriteStateAsync("catalog", Grain, state);

        await storage.ClearStateAsync("catalog", Grain, state);
        var read = new GrainState<CatalogState>();
        await NewStorage().ReadStateAsync("catalog", Grain, read);

        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task AStateFileOfAnEarlierVersionIsImportedOnceAndRemoved()
    {
        var file = FileGrainStorage.PathOf(FilesRoot, "catalog", Grain);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.Copy(LegacyCatalogCluster.GoldenFile, file);

        var imported = new GrainState<CatalogState>();
        await NewStorage().ReadStateAsync("catalog", Grain, imported);
        var again = new GrainState<CatalogState>();
        await NewStorage().ReadStateAsync("catalog", Grain, again);

        Assert.False(File.Exists(file));
        Assert.True(imported.RecordExists);
        Assert.Equal(imported.ETag, again.ETag);
        Assert.Equal(
            [new TokenDefinition("0123456789abcdef", "legacy-secret"), new TokenDefinition("fedcba9876543210", "legacy-reader", ReadOnly: true)],
            Assert.Single(again.State!.Instances.Values).Tokens.AsEnumerable());
    }

    public void Dispose()
    {
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private SqliteGrainStorage NewStorage()
    {
        var serializer = new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>());
        return new SqliteGrainStorage(SqliteDatabase.Open(_root), serializer, new FileGrainStorage(FilesRoot, serializer));
    }
}
