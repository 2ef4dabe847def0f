using Broker.Grains.Configuration;
using Broker.Streaming;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Broker.Gateway.Routing;

/// <summary>
/// Renews this gateway's lease with every instance it has connections in. An instance that answers with a new
/// epoch, or that no longer knows the gateway, lost its soft state, so the gateway restores its connections and
/// subscriptions. An instance whose batches stopped arriving means the inbox subscription was lost.
/// </summary>
internal sealed partial class LeaseKeeper(
    InstanceLinks links,
    GatewayIdentity identity,
    GatewayInbox inbox,
    IOptions<LeaseOptions> options,
    TimeProvider time,
    ILogger<LeaseKeeper> logger) : BackgroundService
{
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RenewalPeriod, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await RenewAllAsync();
        }
    }

    /// <summary>One round of renewals over the instances that have connections here.</summary>
    public async Task RenewAllAsync()
    {
        var inboxLost = false;
        var failure = (string?)null;
        foreach (var link in links.All)
        {
            if (link.Lease.IsEmpty)
            {
                continue;
            }

            try
            {
                inboxLost |= await RenewAsync(link);
            }
            catch (Exception exception) when (ClusterFailures.IsUnavailable(exception))
            {
                failure ??= $"instance {link.Instance}: {FailureReason.Of(exception)}";
            }
            catch (Exception exception)
            {
                LogRenewalError(exception, link.Instance);
            }
        }

        // An outage is reported when it starts and when it ends, not at every renewal in between.
        if (failure is not null && !_failing)
        {
            LogRenewalsFailing(failure, options.Value.RenewalPeriod.TotalSeconds);
        }
        else if (failure is null && _failing)
        {
            LogRenewalsRecovered();
        }

        _failing = failure is not null;

        if (inboxLost)
        {
            try
            {
                await inbox.ResubscribeAsync();
            }
            catch (Exception exception) when (ClusterFailures.IsUnavailable(exception))
            {
                LogResubscribeFailed(FailureReason.Of(exception));
            }
        }
    }

    /// <summary>Renews one lease; returns whether batches that instance sent earlier have not arrived.</summary>
    private async Task<bool> RenewAsync(InstanceLink link)
    {
        var lease = link.Lease;
        var (renewal, restored) = await lease.RenewAsync(link.Grain, identity.Id);
        if (restored is { } count)
        {
            LogRestored(link.Instance, count);
            return false;
        }

        var lost = !inbox.HasReceived(link.Instance, renewal.Epoch, lease.ExpectedSequence);
        lease.Renewed(renewal);
        return lost;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {Instance} lost this gateway's connections; restored {Count}")]
    private partial void LogRestored(string instance, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing leases failed ({Reason}); retrying every {Period} s")]
    private partial void LogRenewalsFailing(string reason, double period);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leases are renewed again")]
    private partial void LogRenewalsRecovered();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to the inbox stream again failed ({Reason}); the next renewal tries again")]
    private partial void LogResubscribeFailed(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Renewing the lease with instance {Instance} failed")]
    private partial void LogRenewalError(Exception exception, string instance);
}
