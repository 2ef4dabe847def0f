using Broker.Grains.Catalog;
using Broker.Grains.Storage;
using Broker.Grains.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Broker.Grains.Tests.Storage;

/// <summary>The state files an earlier development broker wrote: read as they were written, and removed.</summary>
public sealed class EarlierStateFilesTests : IDisposable
{
    private static readonly GrainId Grain = GrainId.Create("catalog", "0");

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"broker-storage-{Guid.NewGuid():N}");
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    [Fact]
    public async Task StateWrittenBeforeSecretsWereHashedReadsWithItsPlainSecretsUntilRemoved()
    {
        var path = EarlierStateFiles.PathOf(_root, "catalog", Grain);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(LegacyCatalogCluster.GoldenFile, path);
        var files = NewFiles();

        var read = await files.ReadAsync<CatalogState>("catalog", Grain);
        files.Remove("catalog", Grain);

        var instance = Assert.Single(read!.Instances.Values);
        Assert.Equal(
            [new TokenDefinition("0123456789abcdef", "legacy-secret"), new TokenDefinition("fedcba9876543210", "legacy-reader", ReadOnly: true)],
            instance.Tokens.AsEnumerable());
        Assert.False(File.Exists(path));
        Assert.Null(await files.ReadAsync<CatalogState>("catalog", Grain));
    }

    [Fact]
    public async Task NoFileIsNoState()
    {
        Assert.Null(await NewFiles().ReadAsync<CatalogState>("catalog", Grain));
    }

    public void Dispose()
    {
        _services.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private EarlierStateFiles NewFiles() => new(_root, new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()));
}
