using System.Net;
using System.Net.Sockets;

namespace Broker.TestHost;

/// <summary>
/// Ports for the brokers, silos and servers that tests start, so that suites running at once never collide. They are
/// taken below the OS's ephemeral range (32768 and up on Linux): a port the OS picked for a listener a moment ago can
/// be picked again for any outgoing connection before the test binds it, and the tests make thousands. Each process
/// starts at a random place in the range and hands each port out once.
/// </summary>
public static class FreePort
{
    private const int First = 20000;
    private const int Count = 12000;
    private static int _next = Random.Shared.Next(Count);

    /// <summary>A TCP port that was free a moment ago on every address, and that this process has not handed out before.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (Interlocked.Increment(ref _next) % Count);
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free TCP port between {First} and {First + Count - 1}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = Socket.OSSupportsIPv6 ? new TcpListener(IPAddress.IPv6Any, port) : new TcpListener(IPAddress.Any, port);
            if (Socket.OSSupportsIPv6)
            {
                listener.Server.DualMode = true;
            }

            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
