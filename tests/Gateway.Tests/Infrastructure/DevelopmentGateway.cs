using Broker.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway in development mode, co-hosting its silo on free ports, with the given settings and a data
/// folder (its own temporary one unless given, deleted when it stops). The test fixtures are built on it.
/// </summary>
public sealed class DevelopmentGateway : IAsyncDisposable
{
    private readonly bool _ownsDataPath;

    private DevelopmentGateway(WebApplication app, string dataPath, bool ownsDataPath)
    {
        App = app;
        DataPath = dataPath;
        _ownsDataPath = ownsDataPath;
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public string DataPath { get; }

    public static async Task<DevelopmentGateway> StartAsync(IDictionary<string, string?> settings, string? dataPath = null)
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
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await app.StartAsync();
        return new DevelopmentGateway(app, path, ownsDataPath: dataPath is null);
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
