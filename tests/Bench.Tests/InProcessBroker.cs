using System.Net;
using Broker.Bench.Targets;
using Broker.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Broker.Bench.Tests;

/// <summary>Our gateway in development mode (with its silo) in the test process, on free ports; clients without a user name land in instance "local".</summary>
public sealed class InProcessBroker : IAsyncLifetime
{
    private WebApplication? _app;

    public BrokerEndpoint Endpoint { get; } = new("ours", new IPEndPoint(IPAddress.Loopback, FreePort.Next()), Environment.ProcessId);

    public async Task InitializeAsync()
    {
        _app = GatewayApplication.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Broker:Ports:Mqtt"] = Endpoint.Address.Port.ToString(),
                ["Broker:Ports:Http"] = "0",
                ["Broker:Ports:MqttTls"] = "0",
                ["Broker:Ports:Https"] = "0",
                ["Broker:Silo:Port"] = FreePort.Next().ToString(),
                ["Broker:Silo:GatewayPort"] = FreePort.Next().ToString(),
            });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class InProcessBrokerCollection : ICollectionFixture<InProcessBroker>
{
    public const string Name = "In-process broker";
}
