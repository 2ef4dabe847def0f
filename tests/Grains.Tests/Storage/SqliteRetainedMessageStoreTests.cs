using Broker.Grains.Storage;

namespace Broker.Grains.Tests.Storage;

public sealed class SqliteRetainedMessageStoreTests() : RetainedMessageStoreContract(new SqliteTestDatabase())
{
    [Fact]
    public async Task TheDatabaseFilesAreTheOwnersAlone()
    {
        var store = new SqlRetainedMessageStore(await Database.OpenMigratedAsync());
        await store.SaveAsync("alpha", [new PublishedMessage("a", "secret-ish"u8.ToArray(), 1, Retain: true)]);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Assert.Equal(BrokerDatabase.OwnerFileMode, File.GetUnixFileMode(Path.Combine(((SqliteTestDatabase)Database).Folder, BrokerDatabase.SqliteFileName)));
    }
}
