using System.Net;

namespace Broker.Bench.Targets;

/// <summary>
/// Where the broker under test serves clients: one address, or each gateway of a cluster; the ids of its processes
/// (their CPU and memory are summed); and, for each instance its clients are spread over, the user name and password
/// they connect with (null: none, as a development broker's <c>local</c> instance and Mosquitto take them).
/// </summary>
public sealed record BrokerEndpoint(string Name, IReadOnlyList<IPEndPoint> Gateways, IReadOnlyList<int> ProcessIds, IReadOnlyList<BrokerCredentials?> Instances)
{
    /// <summary>A broker on one address with one instance: a single process when its id is known.</summary>
    public BrokerEndpoint(string name, IPEndPoint address, int? processId, BrokerCredentials? credentials = null)
        : this(name, [address], processId is { } id ? [id] : [], [credentials])
    {
    }
}
