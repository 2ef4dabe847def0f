using System.Reflection;
using Microsoft.Data.Sqlite;

namespace Broker.Grains.Storage;

/// <summary>
/// The development broker's database: one SQLite file in its data folder. Opening it creates the schema, or brings
/// an older one up to date, from the scripts embedded in this assembly (<c>Storage/Schema/NNN-name.sql</c>, applied
/// in order, each once, together in one transaction). The file is written ahead (WAL) and synced on every commit,
/// so a commit that returned survives the process and the machine going down.
/// </summary>
internal sealed class SqliteDatabase
{
    public const string FileName = "broker.db";

    private const string SchemaResourcePrefix = "Broker.Grains.Storage.Schema.";

    private readonly string _connectionString;

    private SqliteDatabase(string connectionString) => _connectionString = connectionString;

    /// <summary>The schema version the scripts in this build bring the database to.</summary>
    public static int LatestVersion => Scripts().Max(script => script.Version);

    public static SqliteDatabase Open(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName);
        var database = new SqliteDatabase(new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString());
        using var connection = database.Connect();
        Execute(connection, "PRAGMA journal_mode = WAL;");
        Migrate(connection);
        if (!OperatingSystem.IsWindows())
        {
            // The database may hold secrets (token hashes): the owner's alone, as the rest of the data folder.
            foreach (var file in Directory.EnumerateFiles(folder, FileName + "*"))
            {
                File.SetUnixFileMode(file, FileGrainStorage.OwnerFileMode);
            }
        }

        return database;
    }

    /// <summary>An open connection; every connection syncs its commits to disk.</summary>
    public SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous = FULL;");
        return connection;
    }

    /// <summary>The schema version the database is at.</summary>
    public int Version()
    {
        using var connection = Connect();
        return CurrentVersion(connection);
    }

    private static void Migrate(SqliteConnection connection)
    {
        Execute(connection, "CREATE TABLE IF NOT EXISTS broker_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);");

        // Not deferred: the transaction takes the write lock before it reads the version, so two processes (or
        // silos) opening the database at once apply each script once, one after the other.
        using var transaction = connection.BeginTransaction(deferred: false);
        var current = CurrentVersion(connection, transaction);
        foreach (var script in Scripts().Where(script => script.Version > current).OrderBy(script => script.Version))
        {
            Execute(connection, script.Sql, transaction);
            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO broker_schema (version, applied_at) VALUES ($version, $at);";
            record.Parameters.AddWithValue("$version", script.Version);
            record.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O"));
            record.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static int CurrentVersion(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM broker_schema;";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The embedded schema scripts, each with the version its name starts with.</summary>
    private static IEnumerable<(int Version, string Sql)> Scripts()
    {
        var assembly = typeof(SqliteDatabase).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(name => name.StartsWith(SchemaResourcePrefix, StringComparison.Ordinal)))
        {
            var file = name[SchemaResourcePrefix.Length..];
            var version = int.Parse(file[..file.IndexOf('-', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return (version, reader.ReadToEnd());
        }
    }
}
