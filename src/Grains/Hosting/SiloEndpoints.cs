using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace Broker.Grains.Hosting;

/// <summary>
/// Where a cluster silo listens and what it tells the others, from <c>Broker:Silo</c>: <c>Address</c> (the address
/// other processes reach it on: a pod's IP in Kubernetes, loopback on one machine; by default the host's first
/// IPv4 address), <c>Port</c> (silo to silo) and <c>GatewayPort</c> (gateways). It listens on <c>Address</c>, or on
/// every address with <c>ListenOnAnyAddress</c>.
/// </summary>
public readonly record struct SiloEndpoints(IPAddress Address, IPAddress ListenAddress, int Port, int GatewayPort)
{
    public const int DefaultPort = 11111;
    public const int DefaultGatewayPort = 30000;

    public static SiloEndpoints From(IConfigurationSection silo)
    {
        var address = silo["Address"] is { Length: > 0 } configured
            ? IPAddress.TryParse(configured, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"Broker:Silo:Address '{configured}' is not an IP address")
            : HostAddress();
        var listen = silo.GetValue("ListenOnAnyAddress", false) ? IPAddress.Any : address;
        return new SiloEndpoints(address, listen, silo.GetValue("Port", DefaultPort), silo.GetValue("GatewayPort", DefaultGatewayPort));
    }

    private static IPAddress HostAddress() =>
        Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(address => address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address))
        ?? IPAddress.Loopback;
}
