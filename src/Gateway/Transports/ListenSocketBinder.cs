using System.Net;
using System.Net.Sockets;
using Broker.Grains.Configuration;

namespace Broker.Gateway.Transports;

/// <summary>
/// Binds the listeners' sockets before Kestrel starts, so that the ports are known (and logged) up front and no
/// other process can take them in between. A port that cannot be bound (taken, or privileged without the right
/// to bind it) is a start-up error in cluster mode; in development mode the next port that can be bound is used,
/// as a desktop broker should start whatever else runs on the machine.
/// </summary>
internal static class ListenSocketBinder
{
    /// <summary>How far development mode looks for a free port: past the privileged range from 443, with room to spare.</summary>
    private const int MaxAttempts = 2048;

    public static (Socket Socket, BoundPort Port) Bind(ListenerKind listener, int requested, BrokerMode mode)
    {
        SocketException? first = null;
        for (var port = requested; port <= IPEndPoint.MaxPort && port < requested + MaxAttempts; port++)
        {
            try
            {
                var socket = BindAnyAddress(port);
                var reason = port == requested ? null : Describe(first!);
                return (socket, new BoundPort(listener, requested, port, reason));
            }
            catch (SocketException exception) when (IsUnavailable(exception))
            {
                first ??= exception;
                if (mode != BrokerMode.Development)
                {
                    break;
                }
            }
        }

        throw new PortUnavailableException(
            mode == BrokerMode.Development
                ? $"No free port for the {listener} listener from Broker:Ports:{listener} = {requested} on; set another port, or 0 to switch the listener off."
                : $"The {listener} listener cannot use port {requested} (Broker:Ports:{listener}): {Describe(first!)}. Free the port, set another one, or set 0 to switch the listener off.",
            first!);
    }

    /// <summary>A listening socket on every address: IPv6 with IPv4 mapped in where the machine has IPv6, else IPv4.</summary>
    private static Socket BindAnyAddress(int port)
    {
        if (Socket.OSSupportsIPv6)
        {
            var dual = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            try
            {
                return Listen(dual, new IPEndPoint(IPAddress.IPv6Any, port));
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable)
            {
                // IPv6 is compiled in but not configured: fall back to IPv4 only.
            }
        }

        return Listen(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), new IPEndPoint(IPAddress.Any, port));
    }

    private static Socket Listen(Socket socket, IPEndPoint endPoint)
    {
        try
        {
            socket.Bind(endPoint);

            // Listening at once matters: on Linux two sockets may bind one port until one of them listens.
            socket.Listen();
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool IsUnavailable(SocketException exception) =>
        exception.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied;

    private static string Describe(SocketException exception) =>
        exception.SocketErrorCode == SocketError.AccessDenied
            ? "the port is privileged and this process may not bind it"
            : "the port is taken by another process";
}
