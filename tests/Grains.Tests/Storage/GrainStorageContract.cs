using Broker.Grains.Catalog;
using Broker.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Broker.Grains.Tests.Storage;

/// <summary>Grain state in the broker's database on each provider: read back after a restart, guarded by ETags, cleared.</summary>
public abstract class GrainStorageContract(TestDatabase database) : IAsyncLifetime
{
    protected static readonly GrainId Grain = GrainId.Create("catalog", "0");

    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    protected TestDatabase Database { get; } = database;

    [Fact]
    public async Task WrittenStateIsReadBackByAStorageStartedLater()
    {
        var written = new GrainState<CatalogState>(new CatalogState());
        written.State!.Instances["demo"] = new InstanceDefinition("demo", [new TokenDefinition("t1", "s1", ReadOnly: true)]);

        await (await NewStorageAsync()).WriteStateAsync("catalog", Grain, written);
        var read = new GrainState<CatalogState>();
        await (await NewStorageAsync()).ReadStateAsync("catalog", Grain, read);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        var instance = Assert.Single(read.State!.Instances.Values);
        Assert.Equal(new TokenDefinition("t1", "s1", ReadOnly: true), Assert.Single(instance.Tokens));
    }

    [Fact]
    public async Task MissingStateIsAFreshOneWithoutRecord()
    {
        var read = new GrainState<CatalogState>();

        await (await NewStorageAsync()).ReadStateAsync("catalog", Grain, read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Empty(read.State!.Instances);
    }

    [Fact]
    public async Task AWriteWithAStaleETagIsRefused()
    {
        var storage = await NewStorageAsync();
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
        var storage = await NewStorageAsync();
        var state = new GrainState<CatalogState>(new CatalogState());
        await storage.WriteStateAsync("catalog", Grain, state);

        await storage.ClearStateAsync("catalog", Grain, state);
        var read = new GrainState<CatalogState>();
        await (await NewStorageAsync()).ReadStateAsync("catalog", Grain, read);

        Assert.False(read.RecordExists);
    }

    public Task InitializeAsync() => Database.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>A storage on a new handle of the test's database, as a silo starting would make it.</summary>
    private protected async Task<SqlGrainStorage> NewStorageAsync(string? earlierFiles = null)
    {
        var serializer = new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>());
        return new SqlGrainStorage(await Database.OpenMigratedAsync(), serializer, earlierFiles is null ? null : new EarlierStateFiles(earlierFiles, serializer));
    }
}
