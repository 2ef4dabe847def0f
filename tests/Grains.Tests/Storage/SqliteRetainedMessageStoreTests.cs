using Broker.Grains.Storage;
using Microsoft.Data.Sqlite;

namespace Broker.Grains.Tests.Storage;

/// <summary>
/// The development broker's database: its schema made once from the embedded scripts, however often it is opened,
/// and retained messages as rows per instance and topic, changed a batch at a time.
/// </summary>
public sealed class SqliteRetainedMessageStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"broker-sqlite-tests-{Guid.NewGuid():N}");

    [Fact]
    public void OpeningTheDatabaseAgainAppliesNoScriptTwice()
    {
        SqliteDatabase.Open(_folder);
        var database = SqliteDatabase.Open(_folder);

        Assert.Equal(SqliteDatabase.LatestVersion, database.Version());
        Assert.Equal(SqliteDatabase.LatestVersion, AppliedScripts(database));
    }

    [Fact]
    public async Task DatabasesOpenedAtOnceApplyEachScriptOnce()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => SqliteDatabase.Open(_folder))));

        Assert.Equal(SqliteDatabase.LatestVersion, AppliedScripts(SqliteDatabase.Open(_folder)));
    }

    [Fact]
    public async Task ABatchReplacesAndClearsTopicsInOrderAndLeavesOtherInstancesAlone()
    {
        var store = new SqliteRetainedMessageStore(SqliteDatabase.Open(_folder));
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
    public async Task TheDatabaseFilesAreTheOwnersAlone()
    {
        var store = new SqliteRetainedMessageStore(SqliteDatabase.Open(_folder));
        await store.SaveAsync("alpha", [Retained("a", "secret-ish")]);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Assert.Equal(FileGrainStorage.OwnerFileMode, File.GetUnixFileMode(Path.Combine(_folder, SqliteDatabase.FileName)));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>How many scripts the database records as applied.</summary>
    private static int AppliedScripts(SqliteDatabase database)
    {
        using var connection = database.Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM broker_schema;";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static PublishedMessage Retained(string topic, string payload) => new(topic, System.Text.Encoding.UTF8.GetBytes(payload), 1, Retain: true);
}
