using System.Net;

namespace Broker.Bench.Targets;

/// <summary>
/// A broker the tool started for one scenario: where its clients connect, and its processes, stopped in the given
/// order when disposed (a cluster's gateways before its silos), then whatever else it set up is removed.
/// </summary>
public sealed class RunningBroker(BrokerEndpoint endpoint, IReadOnlyList<BrokerProcess> processes, Func<ValueTask>? cleanup = null) : IAsyncDisposable
{
    public BrokerEndpoint Endpoint { get; } = endpoint;

    /// <summary>Why a process is gone, when one ended before the tool stopped it; null while all run.</summary>
    public string? UnexpectedExit => processes.Select(process => process.UnexpectedExit).FirstOrDefault(exit => exit is not null);

    /// <summary>A broker of one process, named <paramref name="name"/>, once its MQTT port on loopback accepts connections.</summary>
    public static async Task<RunningBroker> StartAsync(
        string name, string fileName, IEnumerable<string> arguments, int mqttPort, IReadOnlyList<BrokerCredentials?> instances, Func<ValueTask>? cleanup, CancellationToken cancellationToken)
    {
        var process = BrokerProcess.Start(name, fileName, arguments);
        var broker = new RunningBroker(new BrokerEndpoint(name, [new IPEndPoint(IPAddress.Loopback, mqttPort)], [process.Id], instances), [process], cleanup);
        try
        {
            await process.WaitForPortAsync(mqttPort, cancellationToken);
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(processes);
        if (cleanup is not null)
        {
            await cleanup();
        }
    }

    /// <summary>Stops the processes one after the other, in the order given.</summary>
    public static async Task StopAsync(IEnumerable<BrokerProcess> processes)
    {
        ArgumentNullException.ThrowIfNull(processes);
        foreach (var process in processes)
        {
            await process.DisposeAsync();
        }
    }
}
