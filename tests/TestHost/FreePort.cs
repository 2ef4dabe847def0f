using System.Net;
using System.Net.Sockets;

namespace Broker.TestHost;

/// <summary>Ports for the brokers, silos and servers that tests start, so that suites running at once never collide.</summary>
public static class FreePort
{
    /// <summary>A TCP port that was free a moment ago (the OS picks it).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
