using Broker.Gateway.Hosting;

var app = GatewayApplication.Build(args);

// Read before the host is gone: running disposes it, and with it the lifetime.
var stopRequested = false;
app.Lifetime.ApplicationStopping.Register(() => stopRequested = true);
try
{
    await app.RunAsync();
}
catch (OperationCanceledException) when (stopRequested)
{
    // Stopped (SIGTERM, Ctrl+C) while still starting: an ordinary end, not a crash.
}
