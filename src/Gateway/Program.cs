using Broker.Gateway.Hosting;

var app = GatewayApplication.Build(args);
await app.RunAsync();
