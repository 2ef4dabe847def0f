using Broker.Gateway.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Transports;

/// <summary>
/// MQTT over WebSocket on the HTTP and HTTPS ports: a WebSocket request on any path becomes an MQTT connection,
/// every other request goes on to the HTTP interface. The subprotocol is <c>mqtt</c> (MQTT 3.1.1) or
/// <c>mqttv3.1</c> (MQTT 3.1); a client that offers neither but other subprotocols gets 400, and one that offers
/// none is accepted, as some clients send no subprotocol at all.
/// </summary>
internal sealed partial class MqttWebSocketMiddleware(RequestDelegate next, ConnectionServices services, ILogger<MqttWebSocketMiddleware> logger)
{
    private static readonly string[] SubProtocols = ["mqtt", "mqttv3.1"];

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await next(context);
            return;
        }

        var remoteEndPoint = $"ws {context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        var offered = context.WebSockets.WebSocketRequestedProtocols;
        var subProtocol = SubProtocols.FirstOrDefault(protocol => offered.Contains(protocol, StringComparer.OrdinalIgnoreCase));
        if (subProtocol is null && offered.Count > 0)
        {
            LogRefused(remoteEndPoint, offered);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(subProtocol);
        var pipe = new WebSocketDuplexPipe(socket, services.Options.MaxPacketSize, remoteEndPoint, logger);
        var pumping = pipe.RunAsync();
        var connection = new MqttConnection(services, pipe, remoteEndPoint, context.Request.IsHttps ? "websocket_tls" : "websocket");
        await connection.RunAsync(context.RequestAborted);

        // The connection reads no more: a receive waiting for room in the input ends now.
        await pipe.Input.CompleteAsync();
        await pumping;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{RemoteEndPoint}: WebSocket refused: it offers the subprotocols {Offered}, not mqtt")]
    private partial void LogRefused(string remoteEndPoint, IList<string> offered);
}
