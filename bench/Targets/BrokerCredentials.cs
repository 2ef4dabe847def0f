namespace Broker.Bench.Targets;

/// <summary>A CONNECT's user name and password.</summary>
public sealed record BrokerCredentials(string UserName, string? Password);
