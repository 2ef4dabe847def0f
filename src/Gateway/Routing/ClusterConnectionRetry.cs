using Broker.Gateway.Options;
using Broker.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Broker.Gateway.Routing;

/// <summary>
/// Keeps a cluster gateway's Orleans client trying to reach a silo, for as long as it takes: a gateway may start
/// before the silos, or outlive them. The first failed attempt is logged as a warning, later ones now and then.
/// </summary>
internal sealed partial class ClusterConnectionRetry(IOptions<GatewayOptions> options, TimeProvider time, ILogger<ClusterConnectionRetry> logger)
    : IClientConnectionRetryFilter
{
    private static readonly TimeSpan ReportPeriod = TimeSpan.FromSeconds(30);

    private int _attempts;
    private long _lastReport;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        var attempts = ++_attempts;
        var now = time.GetTimestamp();
        if (attempts == 1 || time.GetElapsedTime(_lastReport, now) >= ReportPeriod)
        {
            _lastReport = now;
            LogNoSilo(attempts, Reason(exception), options.Value.ClusterRetryPeriod.TotalSeconds);
        }

        await Task.Delay(options.Value.ClusterRetryPeriod, time, cancellationToken);
        return true;
    }

    /// <summary>Why no silo answers, in the operator's words where the database's are obscure.</summary>
    private static string Reason(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UndefinedTable }
            ? "the database has no cluster tables yet (no silo has started on it)"
            : FailureReason.Of(exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No silo answers yet ({Attempts} attempts, last: {Reason}); trying again every {Period} s")]
    private partial void LogNoSilo(int attempts, string reason, double period);
}
