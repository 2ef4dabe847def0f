using System.Collections.Concurrent;
using Broker.Gateway.Options;
using Broker.Gateway.Telemetry;
using Broker.Grains;
using Broker.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Broker.Gateway.Routing;

/// <summary>
/// The links of this gateway to the instances it talks to, one per instance, made when an instance first lets a
/// client in (so names made up by refused clients leave nothing behind), and the door through which connections
/// join instances.
/// </summary>
internal sealed partial class InstanceLinks(
    IGrainFactory grains,
    GatewayIdentity identity,
    ClusterReadiness readiness,
    IOptions<GatewayOptions> options,
    InboxSubscription inbox,
    BrokerMetrics metrics,
    TimeProvider time,
    ILoggerFactory loggerFactory) : IInstanceDirectory
{
    private readonly ConcurrentDictionary<string, InstanceLink> _links = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger<InstanceLinks>();

    public ICollection<InstanceLink> All => _links.Values;

    public InstanceLink Get(string instance) =>
        _links.GetOrAdd(instance, name =>
        {
            var grain = Grain(name);
            var lease = new InstanceLease(inbox.RenewAsync);
            var router = new InstanceRouter(
                name,
                grain,
                identity.Id,
                lease,
                options.Value.MaxBatchMessages,
                options.Value.MaxBatchBytes,
                options.Value.PublishRetryTimeout,
                time,
                metrics,
                loggerFactory.CreateLogger<InstanceRouter>());
            return new InstanceLink(name, grain, router, lease);
        });

    public bool TryGet(string instance, [NotNullWhen(true)] out InstanceLink? link) => _links.TryGetValue(instance, out link);

    /// <summary>The instance's grain, for calls that need no link (authenticating a client).</summary>
    public IInstanceGrain Grain(string instance) => grains.GetGrain<IInstanceGrain>(instance);

    public async Task<IInstanceSession?> JoinAsync(IConnectionSink connection, string instance, string clientId, string? secret, PublishedMessage? will)
    {
        readiness.ThrowIfNotReady(instance);
        var address = new ConnectionAddress(identity.Id, connection.Id);
        ConnectResult result;
        try
        {
            result = await Grain(instance).Connect(new ConnectRequest(address, clientId, secret, will));
        }
        catch (Exception exception) when (ClusterFailures.IsUnavailable(exception))
        {
            throw new InstanceUnavailableException(instance, exception);
        }

        if (!result.Accepted)
        {
            return null;
        }

        var link = Get(instance);
        link.Lease.Joined(connection, result);
        if (result.AwaitsRestore)
        {
            RestoreAtOnce(link);
        }

        return new InstanceSession(link, connection, address, result, loggerFactory.CreateLogger<InstanceSession>());
    }

    /// <summary>
    /// Restores this gateway's connections into a new activation of the instance now, not at the next renewal, unless
    /// a restore started this way is under way; a failure is logged, and the next renewal tries again.
    /// </summary>
    public void RestoreAtOnce(InstanceLink link)
    {
        if (link.Lease.TryRenewNow(link.Grain, identity.Id) is { } renewing)
        {
            _ = ReportRestoreAsync(renewing, link.Instance);
        }
    }

    public async Task ReportRefusedAsync(string instance, string? secret, string code, string? topic)
    {
        try
        {
            var grain = Grain(instance);
            if (await grain.Authenticate(secret) != TokenAccess.Denied)
            {
                await grain.ReportError(new ErrorReport(null, code, topic));
            }
        }
        catch (Exception exception) when (ClusterFailures.IsUnavailable(exception))
        {
            LogReportFailed(instance, code, FailureReason.Of(exception));
        }
    }

    private async Task ReportRestoreAsync(Task<(LeaseRenewal Renewal, int? Restored)> renewing, string instance)
    {
        try
        {
            if ((await renewing).Restored is { } count && count > 0)
            {
                LogRestoredAtOnce(instance, count);
            }
        }
        catch (Exception exception) when (ClusterFailures.IsUnavailable(exception))
        {
            LogRestoreFailed(instance, FailureReason.Of(exception));
        }
        catch (Exception exception)
        {
            LogRestoreError(exception, instance);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {Instance} was activated again; restored this gateway's {Count} connections at once")]
    private partial void LogRestoredAtOnce(string instance, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restoring this gateway's connections into instance {Instance}, activated again, failed: {Reason}; the next lease renewal tries again")]
    private partial void LogRestoreFailed(string instance, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Restoring this gateway's connections into instance {Instance} failed")]
    private partial void LogRestoreError(Exception exception, string instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting the error {Code} to instance {Instance} failed: {Reason}")]
    private partial void LogReportFailed(string instance, string code, string reason);
}
