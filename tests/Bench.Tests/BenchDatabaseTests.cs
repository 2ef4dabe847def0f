using Broker.Bench.Targets;
using Broker.TestHost;
using Npgsql;

namespace Broker.Bench.Tests;

public sealed class BenchDatabaseTests
{
    [Fact]
    public async Task ADatabaseIsCreatedOnTheServerAndDroppedWhenDisposed()
    {
        // Any database's connection string reaches the server; the test's own is where the count is asked.
        await using var server = await PostgreSqlDatabase.CreateAsync();
        var bench = await BenchDatabase.CreateAsync(server.ConnectionString, CancellationToken.None);
        var name = new NpgsqlConnectionStringBuilder(bench.ConnectionString).Database;
        var count = $"SELECT count(*) FROM pg_database WHERE datname = '{name}'";

        Assert.StartsWith("bench_", name, StringComparison.Ordinal);
        Assert.Equal(1L, await server.ScalarAsync(count));
        await bench.DisposeAsync();
        Assert.Equal(0L, await server.ScalarAsync(count));
    }
}
