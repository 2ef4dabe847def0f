using Broker.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Broker.TestHost;

/// <summary>
/// The real gateway in development mode, co-hosting its silo, in the test process: its listeners on the given
/// ports, its silo on free ports, a data folder (a temporary one of its own unless given, deleted when it stops),
/// and the given settings on top of those.
/// </summary>
public sealed class DevelopmentGateway : IAsyncDisposable
{
    private readonly bool _ownsDataPath;

    private DevelopmentGateway(WebApplication app, ListenerPorts ports, string dataPath, bool ownsDataPath)
    {
        App = app;
        Ports = ports;
        DataPath = dataPath;
        _ownsDataPath = ownsDataPath;
    }

    public WebApplication App { get; }

    /// <summary>The gateway's services, for tests that check what it keeps.</summary>
    public IServiceProvider Services => App.Services;

    /// <summary>The ports the listeners were given (development mode moves a listener whose port is taken).</summary>
    public ListenerPorts Ports { get; }

    public string DataPath { get; }

    public static async Task<DevelopmentGateway> StartAsync(
        ListenerPorts ports,
        IReadOnlyDictionary<string, string?>? settings = null,
        string? dataPath = null,
        LogLevel minimumLevel = LogLevel.Warning)
    {
        var path = dataPath ?? Path.Combine(Path.GetTempPath(), $"broker-tests-{Guid.NewGuid():N}");
        var app = GatewayApplication.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Broker:Silo:Port"] = FreePort.Next().ToString(),
                ["Broker:Silo:GatewayPort"] = FreePort.Next().ToString(),
                ["Broker:DataPath"] = path,
            });
            builder.Configuration.AddInMemoryCollection(ports.Settings());
            builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
            builder.Logging.SetMinimumLevel(minimumLevel);
        });
        var gateway = new DevelopmentGateway(app, ports, path, ownsDataPath: dataPath is null);
        try
        {
            await app.StartAsync();
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (_ownsDataPath && Directory.Exists(DataPath))
        {
            Directory.Delete(DataPath, recursive: true);
        }
    }
}
