using System.Net;
using Broker.Bench.Targets;
using Broker.TestHost;

namespace Broker.Bench.Tests;

/// <summary>
/// Our gateway in development mode (with its silo) in the test process, on free ports; clients without a user name
/// land in instance "local", and instances bench0 and bench1 let clients in without a password, as the tool's
/// <c>--target ours --instances 2</c> configures them.
/// </summary>
public sealed class InProcessBroker : IAsyncLifetime
{
    private readonly ListenerPorts _ports = new(Mqtt: TestHost.FreePort.Next());
    private DevelopmentGateway? _gateway;

    public BrokerEndpoint Endpoint => new("ours", new IPEndPoint(IPAddress.Loopback, _ports.Mqtt), Environment.ProcessId);

    /// <summary>The same broker with its clients spread over bench0 and bench1.</summary>
    public BrokerEndpoint TwoInstances => Endpoint with { Instances = [.. Enumerable.Range(0, 2).Select(k => new BrokerCredentials(OurBroker.InstanceName(k), null))] };

    public async Task InitializeAsync() => _gateway = await DevelopmentGateway.StartAsync(
        _ports, Enumerable.Range(0, 2).ToDictionary(k => $"Broker:Instances:{OurBroker.InstanceName(k)}:AllowAnonymous", _ => (string?)"true"));

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
