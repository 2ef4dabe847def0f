using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Routing;

/// <summary>
/// The gateway's way into the cluster, made in the background so that the gateway serves (and reports itself not
/// ready) while no silo answers. When the gateway owns its Orleans client (cluster mode), the client connects,
/// retrying for as long as it takes (<see cref="ClusterConnectionRetry"/>); a co-hosted silo's client, or one a test
/// hands in, is connected already. Once connected, the inbox stream is subscribed, and only then is the cluster
/// ready (<see cref="ClusterReadiness"/>): no connection joins an instance whose deliveries could not reach it yet.
/// </summary>
internal sealed partial class ClusterConnection(
    IServiceProvider services,
    GatewayInbox inbox,
    ClusterReadiness readiness,
    bool ownsClient,
    ILogger<ClusterConnection> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _connecting = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A client that is connected already gets its inbox before the listeners open; one that must connect does
        // so in the background, while the listeners answer that the cluster is unavailable.
        _connecting = ConnectAsync(_stopping.Token);
        return ownsClient ? Task.CompletedTask : _connecting;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _connecting;
        if (readiness.IsReady)
        {
            await inbox.UnsubscribeAsync();
            if (ownsClient)
            {
                await Client.StopAsync(cancellationToken);
            }
        }
    }

    public void Dispose() => _stopping.Dispose();

    private IHostedService Client => (IHostedService)services.GetRequiredService<IClusterClient>();

    private async Task ConnectAsync(CancellationToken stopping)
    {
        try
        {
            if (ownsClient)
            {
                await Client.StartAsync(stopping);
            }

            await inbox.SubscribeAsync();
            readiness.Ready();
            if (ownsClient)
            {
                LogConnected();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to the cluster: serving clients")]
    private partial void LogConnected();
}
