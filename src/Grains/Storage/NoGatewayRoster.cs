namespace Broker.Grains.Storage;

/// <summary>
/// No roster: where gateways and silos end together (the development broker, whose gateway is its silo) or a test
/// cluster, a new activation has nobody to wait for.
/// </summary>
internal sealed class NoGatewayRoster : IGatewayRoster
{
    public Task<IReadOnlyList<string>> LoadAsync(string instance) => Task.FromResult<IReadOnlyList<string>>([]);

    public Task SaveAsync(string instance, IReadOnlyCollection<string> added, IReadOnlyCollection<string> removed) => Task.CompletedTask;
}
