using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Broker.Grains.Hosting;

/// <summary>
/// Says in one line each when a silo joins the cluster and when one leaves it, stopped or declared dead: what an
/// operator wants to see of membership, instead of Orleans' warnings (with stack traces) for every missed probe.
/// </summary>
internal sealed partial class ClusterMembershipLog(IClusterMembershipService membership, ILocalSiloDetails local, ILogger<ClusterMembershipLog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var previous = membership.CurrentSnapshot;
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                foreach (var member in snapshot.CreateUpdate(previous).Changes.Where(member => !member.SiloAddress.Equals(local.SiloAddress)))
                {
                    if (member.Status == SiloStatus.Active)
                    {
                        LogJoined(member.SiloAddress.Endpoint, member.Name);
                    }
                    else if (member.Status == SiloStatus.Dead && previous.GetSiloStatus(member.SiloAddress) != SiloStatus.None)
                    {
                        LogLeft(member.SiloAddress.Endpoint, member.Name);
                    }
                }

                previous = snapshot;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Endpoint} ({Name}) joined the cluster")]
    private partial void LogJoined(System.Net.IPEndPoint endpoint, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Endpoint} ({Name}) left the cluster (stopped, or declared dead); its grains are activated on the other silos")]
    private partial void LogLeft(System.Net.IPEndPoint endpoint, string name);
}
