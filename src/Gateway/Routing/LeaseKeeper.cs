using Broker.Gateway.Connections;
using Broker.Gateway.Hosting;
using Broker.Grains.Instances;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Broker.Gateway.Routing;

/// <summary>
/// Renews this gateway's lease with every instance it has connections in. An instance that answers with a new
/// epoch was re-activated and lost its soft state, so the gateway restores its connections and subscriptions.
/// </summary>
internal sealed partial class LeaseKeeper(
    ConnectionRegistry registry,
    GatewayIdentity identity,
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
            foreach (var group in connectionsByRouter)
            {
                try
                {
                    await RenewAsync(group.Key, group);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogRenewalFailed(exception, group.Key.Instance);
                }
            }
        }
    }

    private async Task RenewAsync(InstanceRouter router, IEnumerable<MqttConnection> connections)
    {
        var epoch = await router.Grain.RenewLease(identity.Id);
        if (epoch != router.Epoch)
        {
            var snapshots = connections.Select(connection => connection.Snapshot()).ToImmutableArray();
            LogRestoring(router.Instance, snapshots.Length);
            await router.Grain.Restore(identity.Id, snapshots);
            router.Epoch = epoch;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {Instance} was re-activated; restoring {Count} connections")]
    private partial void LogRestoring(string instance, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the lease with instance {Instance} failed")]
    private partial void LogRenewalFailed(Exception exception, string instance);
}
