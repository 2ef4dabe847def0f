using Broker.Grains.Catalog;
using Broker.Grains.Storage;
using Microsoft.Data.Sqlite;

namespace Broker.Grains.Tests.Infrastructure;

/// <summary>
/// Development mode whose catalog file, before the catalog first reads it, is one written before token secrets
/// were hashed (<see cref="GoldenFile"/>): instance <see cref="LegacyInstance"/> with the plain secrets
/// <see cref="LegacySecret"/> and, read-only, <see cref="LegacyReadOnlySecret"/>. The catalog imports the file into
/// the database (<see cref="StoredCatalogAsync"/>) when it first reads it.
/// </summary>
public sealed class LegacyCatalogCluster : BrokerCluster
{
    public const string LegacyInstance = "legacy";
    public const string LegacySecret = "legacy-secret";
    public const string LegacyReadOnlySecret = "legacy-reader";

    /// <summary>The catalog state with plain secrets, as the catalog's types serialized it before hashing (commit 8a1f506).</summary>
    public static readonly string GoldenFile = Path.Combine(AppContext.BaseDirectory, "Storage", "Golden", "catalog-with-plain-secrets.bin");

    /// <summary>The file that held the catalog's state before the database.</summary>
    public string CatalogFile => EarlierStateFiles.PathOf(Path.Combine(DataPath, "grains"), CatalogStorage.StateName, Catalog.GetGrainId());

    /// <summary>The database file.</summary>
    public string DatabaseFile => Path.Combine(DataPath, BrokerDatabase.SqliteFileName);

    /// <summary>The catalog's state as the database holds it.</summary>
    public async Task<byte[]> StoredCatalogAsync()
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabaseFile, Mode = SqliteOpenMode.ReadOnly }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload FROM broker_grain_state WHERE state_name = $state AND grain_id = $grain;";
        command.Parameters.AddWithValue("$state", CatalogStorage.StateName);
        command.Parameters.AddWithValue("$grain", Catalog.GetGrainId().ToString());
        return (byte[])(await command.ExecuteScalarAsync())!;
    }

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
