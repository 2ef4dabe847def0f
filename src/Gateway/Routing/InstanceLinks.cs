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
        return new InstanceSession(link, connection, address, result, loggerFactory.CreateLogger<InstanceSession>());
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting the error {Code} to instance {Instance} failed: {Reason}")]
    private partial void LogReportFailed(string instance, string code, string reason);
}
