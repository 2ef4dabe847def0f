using System.Net;

namespace Broker.Bench.Targets;

/// <summary>
/// Where the broker under test listens, its process id when known (for its CPU and memory), and the user name and
/// password its clients connect with, if it needs them (a cluster-mode broker: instance and token secret).
/// </summary>
public sealed record BrokerEndpoint(string Name, IPEndPoint Address, int? ProcessId, BrokerCredentials? Credentials = null);

/// <summary>A CONNECT's user name and password.</summary>
public sealed record BrokerCredentials(string UserName, string? Password);
