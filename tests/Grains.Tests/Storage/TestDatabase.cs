using Broker.Grains.Storage;

namespace Broker.Grains.Tests.Storage;

/// <summary>A database of its own for one test class's test, of one of the providers the broker supports.</summary>
public abstract class TestDatabase
{
    internal abstract DatabaseProvider Provider { get; }

    /// <summary>A new handle on the test's database, as a silo starting would open it (not yet migrated).</summary>
    internal abstract BrokerDatabase Open();

    internal async Task<BrokerDatabase> OpenMigratedAsync()
    {
        var database = Open();
        await database.MigrateAsync();
        return database;
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public abstract Task DisposeAsync();
}
