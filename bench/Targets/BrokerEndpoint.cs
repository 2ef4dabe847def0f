using System.Net;

namespace Broker.Bench.Targets;

/// <summary>Where the broker under test listens, and its process id when known (for its CPU and memory).</summary>
public sealed record BrokerEndpoint(string Name, IPEndPoint Address, int? ProcessId);
