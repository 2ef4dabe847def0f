using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Broker.Grains.Storage;

/// <summary>
/// The broker's database: one SQLite file in the development broker's data folder, or the PostgreSQL database a
/// cluster shares. <see cref="MigrateAsync"/> creates the schema, or brings an older one up to date, from the
/// scripts embedded in this assembly for the provider (<c>Storage/Schema/&lt;provider&gt;/NNN-name.sql</c>, applied
/// in order, each once, together in one transaction that first takes a lock, so that silos starting at once apply
/// each script once). The stores speak the SQL both providers understand (<c>@name</c> parameters,
/// <c>INSERT .. ON CONFLICT</c>); only the table definitions differ.
/// </summary>
internal sealed class BrokerDatabase
{
    public const string SqliteFileName = "broker.db";

    /// <summary>The mode of the SQLite database's files: they hold token hashes, so they are the owner's alone.</summary>
    public const UnixFileMode OwnerFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The key of PostgreSQL's advisory lock that serialises migrations (the ASCII of "brkr").</summary>
    private const long MigrationLock = 0x62726B72;

    private readonly DbDataSource _source;

    private BrokerDatabase(DatabaseProvider provider, DbDataSource source, string? folder)
    {
        Provider = provider;
        _source = source;
        Folder = folder;
    }

    public DatabaseProvider Provider { get; }

    /// <summary>The data folder of a SQLite database, null for PostgreSQL.</summary>
    public string? Folder { get; }

    /// <summary>The PostgreSQL data source, for Orleans' ADO.NET clustering to share.</summary>
    public DbDataSource DataSource => _source;

    /// <summary>The development broker's database file in <paramref name="folder"/> (made when first migrated).</summary>
    public static BrokerDatabase Sqlite(string folder)
    {
        var path = Path.Combine(folder, SqliteFileName);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        return new BrokerDatabase(DatabaseProvider.Sqlite, SqliteFactory.Instance.CreateDataSource(connectionString), folder);
    }

    /// <summary>A PostgreSQL database, given by an Npgsql connection string.</summary>
    public static BrokerDatabase PostgreSql(string connectionString) =>
        new(DatabaseProvider.PostgreSql, NpgsqlDataSource.Create(connectionString), folder: null);

    /// <summary>Whether a store's call failed because the database cannot be reached or written (a known, expected failure).</summary>
    public static bool IsUnavailable(Exception exception) => exception is DbException or IOException or TimeoutException;

    /// <summary>The schema version the scripts in this build bring a database of <paramref name="provider"/> to.</summary>
    public static int LatestVersion(DatabaseProvider provider) => Scripts(provider).Max(script => script.Version);

    /// <summary>
    /// Runs <paramref name="work"/> on an open connection. SQLite's calls block, so its work runs on the thread pool,
    /// off the caller's (a grain's) thread.
    /// </summary>
    public Task<T> RunAsync<T>(Func<DbConnection, Task<T>> work)
    {
        if (Provider == DatabaseProvider.PostgreSql)
        {
            return WithConnectionAsync(work);
        }

        return Task.Run(() => WithConnectionAsync(work));
    }

    public Task RunAsync(Func<DbConnection, Task> work) => RunAsync(async connection =>
    {
        await work(connection);
        return true;
    });

    /// <summary>Creates or updates the schema (see the summary); returns the versions it was at before and is at now.</summary>
    public Task<(int From, int To)> MigrateAsync(CancellationToken cancellationToken = default) => RunAsync(async connection =>
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", null, cancellationToken);
        }

        // SQLite's transaction is not deferred: it takes the write lock before it reads the version.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (Provider == DatabaseProvider.PostgreSql)
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLock});", transaction, cancellationToken);
        }

        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS broker_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);", transaction, cancellationToken);
        var current = await CurrentVersionAsync(connection, transaction);
        var version = current;
        foreach (var script in Scripts(Provider).Where(script => script.Version > current).OrderBy(script => script.Version))
        {
            version = script.Version;
            await ExecuteAsync(connection, script.Sql, transaction, cancellationToken);
            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO broker_schema (version, applied_at) VALUES (@version, @at);";
            record.AddParameter("@version", script.Version);
            record.AddParameter("@at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (Folder is not null && !OperatingSystem.IsWindows())
        {
            // The database holds token hashes: the owner's alone, as the rest of the data folder.
            foreach (var file in Directory.EnumerateFiles(Folder, SqliteFileName + "*"))
            {
                File.SetUnixFileMode(file, OwnerFileMode);
            }
        }

        return (current, version);
    });

    /// <summary>The schema version the database is at.</summary>
    public Task<int> VersionAsync() => RunAsync(connection => CurrentVersionAsync(connection, null));

    private async Task<T> WithConnectionAsync<T>(Func<DbConnection, Task<T>> work)
    {
        if (Folder is not null)
        {
            Directory.CreateDirectory(Folder);
        }

        await using var connection = await _source.OpenConnectionAsync();
        if (Provider == DatabaseProvider.Sqlite)
        {
            // Every connection syncs its commits to disk, so a commit that returned survives a power cut.
            await ExecuteAsync(connection, "PRAGMA synchronous = FULL;", null, CancellationToken.None);
        }

        return await work(connection);
    }

    private static async Task<int> CurrentVersionAsync(DbConnection connection, DbTransaction? transaction)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM broker_schema;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The embedded schema scripts of <paramref name="provider"/>, each with the version its name starts with.</summary>
    private static IEnumerable<(int Version, string Sql)> Scripts(DatabaseProvider provider)
    {
        var prefix = $"Broker.Grains.Storage.Schema.{provider}.";
        var assembly = typeof(BrokerDatabase).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(name => name.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var file = name[prefix.Length..];
            var version = int.Parse(file[..file.IndexOf('-', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return (version, reader.ReadToEnd());
        }
    }
}
