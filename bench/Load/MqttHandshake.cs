using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Broker.Protocol;

namespace Broker.Bench.Load;

/// <summary>
/// The control-plane steps before measuring: open a socket, CONNECT and wait for CONNACK, SUBSCRIBE and wait for
/// SUBACK. These run once per connection, so they use the codec's reader; the hot paths do their own framing.
/// </summary>
public static class MqttHandshake
{
    /// <summary>Connects and completes CONNECT/CONNACK; throws <see cref="BenchException"/> when refused.</summary>
    public static async Task<Socket> ConnectAsync(
        IPEndPoint broker, string clientId, IPAddress? sourceAddress, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (sourceAddress is not null)
            {
                socket.Bind(new IPEndPoint(sourceAddress, 0));
            }

            await socket.ConnectAsync(broker, cancellationToken);
            var connect = new ConnectPacket(
                ConnectPacket.Mqtt311ProtocolName, ConnectPacket.Mqtt311ProtocolLevel, clientId, true, 0, null, null, null);
            await socket.SendAsync(PacketTemplate.Encode(connect), SocketFlags.None, cancellationToken);
            var connAck = await ReadPacketAsync(socket, 4, cancellationToken) as ConnAckPacket
                ?? throw new BenchException($"{clientId}: the broker's first packet is not CONNACK");
            if (connAck.ReturnCode != ConnectReturnCode.Accepted)
            {
                throw new BenchException($"{clientId}: CONNECT refused with {connAck.ReturnCode}");
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static async Task SubscribeAsync(Socket socket, string filter, QualityOfService qos, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var subscribe = new SubscribePacket(1, [new TopicSubscription(filter, qos)]);
        await socket.SendAsync(PacketTemplate.Encode(subscribe), SocketFlags.None, cancellationToken);
        var subAck = await ReadPacketAsync(socket, 5, cancellationToken) as SubAckPacket
            ?? throw new BenchException($"SUBSCRIBE {filter}: the answer is not SUBACK");
        if (subAck.ReturnCodes[0] == SubscribeReturnCode.Failure)
        {
            throw new BenchException($"SUBSCRIBE {filter}: refused");
        }
    }

    private static async Task<MqttPacket> ReadPacketAsync(Socket socket, int size, CancellationToken cancellationToken)
    {
        var buffer = new byte[size];
        var filled = 0;
        while (filled < size)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new BenchException("the broker closed the connection during the handshake");
            }

            filled += read;
        }

        var sequence = new ReadOnlySequence<byte>(buffer);
        return PacketReader.TryRead(ref sequence, size, out var packet)
            ? packet
            : throw new BenchException("incomplete packet during the handshake");
    }
}
