using System.Net;
using Broker.Bench.Targets;
using Broker.TestHost;

namespace Broker.Bench.Tests;

/// <summary>Our gateway in development mode (with its silo) in the test process, on free ports; clients without a user name land in instance "local".</summary>
public sealed class InProcessBroker : IAsyncLifetime
{
    private readonly ListenerPorts _ports = new(Mqtt: TestHost.FreePort.Next());
    private DevelopmentGateway? _gateway;

    public BrokerEndpoint Endpoint => new("ours", new IPEndPoint(IPAddress.Loopback, _ports.Mqtt), Environment.ProcessId);

    public async Task InitializeAsync() => _gateway = await DevelopmentGateway.StartAsync(_ports);

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class InProcessBrokerCollection : ICollectionFixture<InProcessBroker>
{
    public const string Name = "In-process broker";
}
