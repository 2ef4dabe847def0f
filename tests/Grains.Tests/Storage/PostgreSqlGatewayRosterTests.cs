using Broker.Grains.Storage;

namespace Broker.Grains.Tests.Storage;

/// <summary>A cluster's roster of the gateways that hold connections in each instance, a row per instance and gateway.</summary>
public sealed class PostgreSqlGatewayRosterTests : IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();

    [Fact]
    public async Task GatewaysAddedAndRemovedAreReadBackPerInstance()
    {
        var roster = new SqlGatewayRoster(await _database.OpenMigratedAsync());
        await roster.SaveAsync("alpha", ["gateway-a", "gateway-b"], []);
        await roster.SaveAsync("beta", ["gateway-a"], []);

        await roster.SaveAsync("alpha", ["gateway-c", "gateway-b"], ["gateway-a"]);

        Assert.Equal(["gateway-b", "gateway-c"], (await new SqlGatewayRoster(_database.Open()).LoadAsync("alpha")).Order());
        Assert.Equal(["gateway-a"], await roster.LoadAsync("beta"));
        Assert.Empty(await roster.LoadAsync("gamma"));
    }

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();
}
