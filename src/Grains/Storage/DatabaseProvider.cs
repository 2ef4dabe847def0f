namespace Broker.Grains.Storage;

/// <summary>The database products the broker keeps its state in; the names are those of the schema script folders.</summary>
internal enum DatabaseProvider
{
    /// <summary>One file in the development broker's data folder.</summary>
    Sqlite,

    /// <summary>The database a cluster's silos share.</summary>
    PostgreSql,
}
