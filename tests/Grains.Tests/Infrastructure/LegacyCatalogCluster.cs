using Broker.Grains.Catalog;
using Broker.Grains.Storage;

namespace Broker.Grains.Tests.Infrastructure;

/// <summary>
/// Development mode whose catalog file, before the catalog first reads it, is one written before token secrets
/// were hashed (<see cref="GoldenFile"/>): instance <see cref="LegacyInstance"/> with the plain secrets
/// <see cref="LegacySecret"/> and, read-only, <see cref="LegacyReadOnlySecret"/>.
/// </summary>
public sealed class LegacyCatalogCluster : BrokerCluster
{
    public const string LegacyInstance = "legacy";
    public const string LegacySecret = "legacy-secret";
    public const string LegacyReadOnlySecret = "legacy-reader";

    /// <summary>The catalog state with plain secrets, as the catalog's types serialized it before hashing (commit 8a1f506).</summary>
    public static readonly string GoldenFile = Path.Combine(AppContext.BaseDirectory, "Storage", "Golden", "catalog-with-plain-secrets.bin");

    /// <summary>The file that holds the catalog's state.</summary>
    public string CatalogFile => FileGrainStorage.PathOf(Path.Combine(DataPath, "grains"), CatalogStorage.StateName, Catalog.GetGrainId());

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Broker:Mode", "Development"),
    ];

    protected override Task OnDeployedAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(CatalogFile)!);
        File.Copy(GoldenFile, CatalogFile);
        return Task.CompletedTask;
    }
}
