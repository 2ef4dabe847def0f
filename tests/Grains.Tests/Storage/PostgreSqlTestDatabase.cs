using Broker.Grains.Storage;
using Broker.TestHost;

namespace Broker.Grains.Tests.Storage;

/// <summary>A cluster's database: a PostgreSQL database of its own on the tests' server.</summary>
public sealed class PostgreSqlTestDatabase : TestDatabase
{
    private PostgreSqlDatabase? _database;

    internal override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    internal override BrokerDatabase Open() => BrokerDatabase.PostgreSql(_database!.ConnectionString);

    public override async Task InitializeAsync() => _database = await PostgreSqlDatabase.CreateAsync();

    public override async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
