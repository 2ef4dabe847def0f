using Broker.Grains.Storage;
using Microsoft.Data.Sqlite;

namespace Broker.Grains.Tests.Storage;

/// <summary>The development broker's database file in a temporary data folder.</summary>
public sealed class SqliteTestDatabase : TestDatabase
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), $"broker-sqlite-tests-{Guid.NewGuid():N}");

    internal override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    internal override BrokerDatabase Open() => BrokerDatabase.Sqlite(Folder);

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }

        return Task.CompletedTask;
    }
}
