using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Broker.Gateway.Transports;

/// <summary>
/// The listening sockets bound before Kestrel starts, handed to Kestrel's socket transport when it binds the same
/// port (it then owns and closes them). Sockets Kestrel never asked for are closed when the application is disposed.
/// </summary>
internal sealed class ListenSockets : IDisposable
{
    private readonly Dictionary<int, Socket> _unclaimed = [];
    private readonly Lock _lock = new();

    public void Add(int port, Socket socket)
    {
        lock (_lock)
        {
            _unclaimed.Add(port, socket);
        }
    }

    /// <summary>Kestrel's <see cref="SocketTransportOptions.CreateBoundListenSocket"/>: the pre-bound socket of the port, if any.</summary>
    public Socket CreateBoundListenSocket(EndPoint endPoint)
    {
        lock (_lock)
        {
            if (endPoint is IPEndPoint ip && _unclaimed.Remove(ip.Port, out var socket))
            {
                return socket;
            }
        }

        return SocketTransportOptions.CreateDefaultBoundListenSocket(endPoint);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var socket in _unclaimed.Values)
            {
                socket.Dispose();
            }

            _unclaimed.Clear();
        }
    }
}
