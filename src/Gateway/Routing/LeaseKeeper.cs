using Broker.Gateway.Connections;
using Broker.Grains.Configuration;
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
    ConnectionRegistry registry,
    GatewayIdentity identity,
    GatewayInbox inbox,
    IOptions<LeaseOptions> options,
    ILogger<LeaseKeeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RenewalPeriod);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var connectionsByRouter = registry.Connections
                .Where(connection => connection.Router is not null)
                .GroupBy(connection => connection.Router!);
            var inboxLost = false;
            foreach (var group in connectionsByRouter)
            {
                try
                {
                    inboxLost |= await RenewAsync(group.Key, group);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogRenewalFailed(exception, group.Key.Instance);
                }
            }

            if (inboxLost)
            {
                await inbox.ResubscribeAsync();
            }
        }
    }

    /// <summary>Renews one lease; returns whether batches that instance sent earlier have not arrived.</summary>
    private async Task<bool> RenewAsync(InstanceRouter router, IEnumerable<MqttConnection> connections)
    {
        var renewal = await router.Grain.RenewLease(identity.Id);
        if (router.RestoreRequested || !renewal.GatewayKnown || renewal.Epoch != router.Epoch)
        {
            router.RestoreRequested = false;
            var snapshots = connections.Select(connection => connection.Snapshot()).ToImmutableArray();
            LogRestoring(router.Instance, snapshots.Length);
            await router.Grain.Restore(identity.Id, snapshots);
            router.Epoch = renewal.Epoch;
            router.ExpectedSequence = 0;
            return false;
        }

        var lost = !inbox.HasReceived(router.Instance, renewal.Epoch, router.ExpectedSequence);
        router.ExpectedSequence = renewal.LastSequence;
        return lost;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {Instance} lost this gateway's connections; restoring {Count}")]
    private partial void LogRestoring(string instance, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the lease with instance {Instance} failed")]
    private partial void LogRenewalFailed(Exception exception, string instance);
}
