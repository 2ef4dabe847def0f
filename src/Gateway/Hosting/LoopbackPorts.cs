using System.Net;
using System.Net.Sockets;

namespace Broker.Gateway.Hosting;

/// <summary>
/// Finds free loopback ports for the silo that development mode co-hosts: its ports only serve the process itself,
/// so a second broker on the same machine must not share them (Orleans listens with address reuse, and two silos
/// on one port would receive each other's connections).
/// </summary>
internal static class LoopbackPorts
{
    private const int MaxAttempts = 1000;

    /// <summary>The first port from <paramref name="requested"/> on that nothing listens on.</summary>
    public static int NextFree(int requested)
    {
        for (var port = requested; port < requested + MaxAttempts && port <= IPEndPoint.MaxPort; port++)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
                probe.Listen();
                return port;
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
            }
        }

        throw new InvalidOperationException($"No free loopback port for the development silo from {requested} on; set Broker:Silo:Port and Broker:Silo:GatewayPort.");
    }
}
