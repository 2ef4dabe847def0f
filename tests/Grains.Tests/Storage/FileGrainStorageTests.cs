using System.Runtime.Versioning;
using Broker.Grains.Catalog;
using Broker.Grains.Storage;
using Broker.Grains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Broker.Grains.Tests.Storage;

public sealed class FileGrainStorageTests : IDisposable
{
    private static readonly GrainId Grain = GrainId.Create("catalog", "0");

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"broker-storage-{Guid.NewGuid():N}");
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    [Fact]
    public async Task WrittenStateIsReadBackByAStorageStartedLater()
    {
        using var storage = NewStorage();
        var written = new GrainState<CatalogState>(new CatalogState());
        written.State!.Instances["demo"] = new InstanceDefinition("demo", [new TokenDefinition("t1", "s1", ReadOnly: true)]);

        await storage.WriteStateAsync("catalog", Grain, written);
        using var restarted = NewStorage();
        var read = new GrainState<CatalogState>();
        await restarted.ReadStateAsync("catalog", Grain, read);

        Assert.True(read.RecordExists);
        Assert.NotNull(read.ETag);
        var instance = Assert.Single(read.State!.Instances.Values);
        Assert.Equal("demo", instance.Name);
        Assert.Equal(new TokenDefinition("t1", "s1", ReadOnly: true), Assert.Single(instance.Tokens));
        Assert.Empty(Directory.GetFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task MissingStateIsAFreshOneWithoutRecord()
    {
        using var storage = NewStorage();
        var read = new GrainState<CatalogState>();

        await storage.ReadStateAsync("catalog", Grain, read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Empty(read.State!.Instances);
    }

    [Fact]
    public async Task AWriteWithAStaleETagIsRefused()
    {
        using var storage = NewStorage();
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
        using var storage = NewStorage();
        var state = new GrainState<CatalogState>(new CatalogState());
        await storage.WriteStateAsync("catalog", Grain, state);

        await storage.ClearStateAsync("catalog", Grain, state);
        var read = new GrainState<CatalogState>();
        await storage.ReadStateAsync("catalog", Grain, read);

        Assert.False(read.RecordExists);
        Assert.Empty(Directory.GetFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task StateFilesAreTheOwnersAloneInFoldersOnlyTheOwnerEnters()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var storage = NewStorage();

        await storage.WriteStateAsync("catalog", Grain, new GrainState<CatalogState>(new CatalogState()));

        var path = FileGrainStorage.PathOf(_root, "catalog", Grain);
        AssertOwnersAlone(path);
    }

    [Fact]
    public async Task AFileAndFoldersFromBeforeAreMadeTheOwnersAloneWhenRead()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode enterable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        var path = FileGrainStorage.PathOf(_root, "catalog", Grain);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, enterable);
        File.SetUnixFileMode(_root, enterable);
        File.Copy(LegacyCatalogCluster.GoldenFile, path);
        File.SetUnixFileMode(path, readable);
        using var storage = NewStorage();

        await storage.ReadStateAsync("catalog", Grain, new GrainState<CatalogState>());

        AssertOwnersAlone(path);
    }

    [Fact]
    public async Task FoldersAndALeftoverTemporaryFileFromBeforeAreMadeTheOwnersAlone()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        var path = FileGrainStorage.PathOf(_root, "catalog", Grain);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, open);
        File.SetUnixFileMode(_root, open);
        await File.WriteAllBytesAsync($"{path}.tmp", [1, 2, 3]);
        File.SetUnixFileMode($"{path}.tmp", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using var storage = NewStorage();

        await storage.WriteStateAsync("catalog", Grain, new GrainState<CatalogState>(new CatalogState()));

        AssertOwnersAlone(path);
    }

    [Fact]
    public async Task StateWrittenBeforeSecretsWereHashedReadsWithItsPlainSecrets()
    {
        var path = FileGrainStorage.PathOf(_root, "catalog", Grain);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(LegacyCatalogCluster.GoldenFile, path);
        using var storage = NewStorage();
        var read = new GrainState<CatalogState>();

        await storage.ReadStateAsync("catalog", Grain, read);

        var instance = Assert.Single(read.State!.Instances.Values);
        Assert.Equal(
            [new TokenDefinition("0123456789abcdef", "legacy-secret"), new TokenDefinition("fedcba9876543210", "legacy-reader", ReadOnly: true)],
            instance.Tokens.AsEnumerable());
    }

    public void Dispose()
    {
        _services.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>The state file, its folder and the storage root are the owner's alone.</summary>
    [UnsupportedOSPlatform("windows")]
    private void AssertOwnersAlone(string path)
    {
        Assert.Equal(FileGrainStorage.OwnerFileMode, File.GetUnixFileMode(path));
        Assert.Equal(FileGrainStorage.OwnerFolderMode, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Equal(FileGrainStorage.OwnerFolderMode, File.GetUnixFileMode(_root));
    }

    private FileGrainStorage NewStorage() => new(_root, new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()));
}
