using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Tests.Transports;

/// <summary>
/// A web page in a real browser (headless Chromium) uses MQTT.js over WebSocket: it subscribes and shows a message
/// that a TCP client published. The test serves the page and MQTT.js's browser bundle itself.
/// </summary>
[Collection(TransportCollection.Name)]
public sealed class BrowserPageTests(TransportFixture broker)
{
    [Fact]
    public async Task PageInChromiumShowsAMessageATcpClientPublished()
    {
        NodeTools.RequireChromium();
        var topic = TestNames.Topic();
        await using var pages = await ServePageAsync();
        var query = QueryString.Create(new Dictionary<string, string?>
        {
            ["url"] = $"ws://{broker.Host}:{broker.HttpPort}/mqtt",
            ["username"] = TransportFixture.Instance,
            ["password"] = TransportFixture.Secret,
            ["topic"] = $"{topic}/#",
        });
        await using var browser = NodeProcess.Start("browser-page.mjs", $"{pages.Urls.Single()}/{query}", NodeTools.Chromium);
        Assert.Equal("subscribed", await browser.ReadLineAsync());

        await using var publisher = await broker.ConnectMqttNetAsync(Transport.Tcp);
        await publisher.PublishAsync($"{topic}/page", "hello browser");

        Assert.Equal($"shown: {topic}/page hello browser", await browser.ReadLineAsync());
    }

    /// <summary>A small web server for the page and the MQTT.js bundle, on a free port of its own.</summary>
    private static async Task<WebApplication> ServePageAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add($"http://127.0.0.1:{FreePort.Next()}");
        var bundle = Path.Combine(NodeTools.ScriptFolder, "node_modules", "mqtt", "dist", "mqtt.min.js");
        app.MapGet("/", () => Results.File(Path.Combine(NodeTools.ScriptFolder, "page.html"), "text/html"));
        app.MapGet("/mqtt.min.js", () => Results.File(bundle, "text/javascript"));
        await app.StartAsync();
        return app;
    }
}
