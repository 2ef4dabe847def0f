using Broker.Grains.Storage;

namespace Broker.Grains.Tests.Storage;

/// <summary>
/// The broker's database on each provider: its schema made once from the embedded scripts, however often and however
/// many at once open it, and retained messages as rows per instance and topic, changed a batch at a time.
/// </summary>
public abstract class RetainedMessageStoreContract(TestDatabase database) : IAsyncLifetime
{
    protected TestDatabase Database { get; } = database;

    [Fact]
    public async Task MigratingTheDatabaseAgainAppliesNoScriptTwice()
    {
        await Database.OpenMigratedAsync();
        var again = await Database.OpenMigratedAsync();

        Assert.Equal(BrokerDatabase.LatestVersion(Database.Provider), await again.VersionAsync());
        Assert.Equal(BrokerDatabase.LatestVersion(Database.Provider), await AppliedScriptsAsync(again));
    }

    [Fact]
    public async Task DatabasesMigratedAtOnceApplyEachScriptOnce()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Database.OpenMigratedAsync()));

        Assert.Equal(BrokerDatabase.LatestVersion(Database.Provider), await AppliedScriptsAsync(Database.Open()));
    }

    [Fact]
    public async Task ABatchReplacesAndClearsTopicsInOrderAndLeavesOtherInstancesAlone()
    {
        var store = new SqlRetainedMessageStore(await Database.OpenMigratedAsync());
        await store.SaveAsync("alpha", [Retained("a", "1"), Retained("b", "2"), Retained("c", "3")]);
        await store.SaveAsync("beta", [Retained("a", "other")]);

        await store.SaveAsync("alpha", [Retained("a", "1 again"), Retained("b", ""), Retained("b", "back"), Retained("c", "")]);

        Assert.Equal(
            [("a", "1 again", (byte)1), ("b", "back", (byte)1)],
            (await store.LoadAsync("alpha")).Select(m => (m.Topic, System.Text.Encoding.UTF8.GetString(m.Payload), m.Qos)).OrderBy(m => m.Topic));
        Assert.Equal(["other"], (await store.LoadAsync("beta")).Select(m => System.Text.Encoding.UTF8.GetString(m.Payload)));
        Assert.All(await store.LoadAsync("alpha"), message => Assert.True(message.Retain));
    }

    [Fact]
    public async Task ADeletedInstanceLosesItsRetainedMessagesAndNoOtherInstanceDoes()
    {
        var store = new SqlRetainedMessageStore(await Database.OpenMigratedAsync());
        await store.SaveAsync("alpha", [Retained("a", "1"), Retained("b", "2")]);
        await store.SaveAsync("beta", [Retained("a", "other")]);

        await store.DeleteAsync("alpha");

        Assert.Empty(await store.LoadAsync("alpha"));
        Assert.Single(await store.LoadAsync("beta"));
    }

    public Task InitializeAsync() => Database.InitializeAsync();

    public Task DisposeAsync() => Database.DisposeAsync();

    /// <summary>How many scripts the database records as applied.</summary>
    private static Task<int> AppliedScriptsAsync(BrokerDatabase database) => database.RunAsync(async connection =>
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM broker_schema;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    });

    private static PublishedMessage Retained(string topic, string payload) => new(topic, System.Text.Encoding.UTF8.GetBytes(payload), 1, Retain: true);
}
