using Broker.Grains.Configuration;
using Broker.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// A silo on its own (production role "silo"): it hosts the instance grains; gateways join it as Orleans clients.
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LoggingDefaults.Settings });
var silo = builder.Configuration.GetSection("Broker:Silo");
builder.UseOrleans(orleans => orleans
    .UseLocalhostClustering(silo.GetValue("Port", 11111), silo.GetValue("GatewayPort", 30000))
    .AddBrokerGrains(builder.Configuration));
var host = builder.Build();

// Read before the host is gone: running disposes it, and with it the lifetime.
var stopRequested = false;
host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopRequested = true);
try
{
    await host.RunAsync();
}
catch (OperationCanceledException) when (stopRequested)
{
    // Stopped (SIGTERM, Ctrl+C) while still starting: an ordinary end, not a crash.
}
