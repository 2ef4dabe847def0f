using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Broker.Grains.Storage;

/// <summary>
/// Brings the broker's database to this build's schema when the silo starts, before anything reads it (Orleans'
/// membership table included, whose statements the schema holds). A database that cannot be reached stops the
/// silo from starting, with the reason.
/// </summary>
internal sealed partial class DatabaseMigration(BrokerDatabase database, ILogger<DatabaseMigration> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(nameof(DatabaseMigration), ServiceLifecycleStage.First, MigrateAsync);

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        (int From, int To) versions;
        try
        {
            versions = await database.MigrateAsync(cancellationToken);
        }
        catch (Exception exception) when (BrokerDatabase.IsUnavailable(exception))
        {
            LogUnavailable(database.Provider, exception.Message);
            throw;
        }

        if (versions.To != versions.From)
        {
            LogMigrated(database.Provider, versions.From, versions.To);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The broker's {Provider} database schema was brought from version {From} to {To}")]
    private partial void LogMigrated(DatabaseProvider provider, int from, int to);

    [LoggerMessage(Level = LogLevel.Error, Message = "The broker's {Provider} database cannot be opened: {Reason}")]
    private partial void LogUnavailable(DatabaseProvider provider, string reason);
}
