using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Broker.Bench.Targets;
using Broker.Protocol;

namespace Broker.Bench.Load;

/// <summary>
/// The control-plane steps before measuring: open a socket, CONNECT and wait for CONNACK, SUBSCRIBE and wait for
/// SUBACK. These run once per connection, so they use the codec's reader; the hot paths do their own framing.
/// The messaging scenarios use the blocking versions: a socket that never had an asynchronous operation stays
/// out of the runtime's socket engine, so the <see cref="ReceivePool"/> can receive from it with plain system
/// calls (and the engine's thread is not woken for every segment that arrives).
/// </summary>
public static class MqttHandshake
{
    private const int HandshakeTimeoutMilliseconds = 10_000;

    /// <summary>Connects and completes CONNECT/CONNACK with blocking calls; throws <see cref="BenchException"/> when refused.</summary>
    public static Socket Connect(IPEndPoint broker, string clientId, BrokerCredentials? credentials = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = HandshakeTimeoutMilliseconds,
            SendTimeout = HandshakeTimeoutMilliseconds,
        };
        try
        {
            socket.Connect(broker);
            var connect = Connect(clientId, credentials);
            socket.Send(PacketTemplate.Encode(connect), SocketFlags.None);
            var connAck = ReadPacket(socket, 4) as ConnAckPacket
                ?? throw new BenchException($"{clientId}: the broker's first packet is not CONNACK");
            if (connAck.ReturnCode != ConnectReturnCode.Accepted)
            {
                throw new BenchException($"{clientId}: CONNECT refused with {connAck.ReturnCode}");
            }

            return socket;
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.TimedOut)
        {
            socket.Dispose();
            throw new BenchException($"{clientId}: no CONNACK within {HandshakeTimeoutMilliseconds / 1000} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>SUBSCRIBE and SUBACK with blocking calls; afterwards the socket's receives and sends wait without a timeout.</summary>
    public static void Subscribe(Socket socket, string filter, QualityOfService qos)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var subscribe = new SubscribePacket(1, [new TopicSubscription(filter, qos)]);
        socket.Send(PacketTemplate.Encode(subscribe), SocketFlags.None);
        MqttPacket subAck;
        try
        {
            subAck = ReadPacket(socket, 5);
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.TimedOut)
        {
            throw new BenchException($"SUBSCRIBE {filter}: no SUBACK within {HandshakeTimeoutMilliseconds / 1000} s");
        }

        if (subAck is not SubAckPacket { } accepted)
        {
            throw new BenchException($"SUBSCRIBE {filter}: the answer is not SUBACK");
        }

        if (accepted.ReturnCodes[0] == SubscribeReturnCode.Failure)
        {
            throw new BenchException($"SUBSCRIBE {filter}: refused");
        }
    }

    /// <summary>A clean-session CONNECT without keep-alive, with the credentials if any.</summary>
    private static ConnectPacket Connect(string clientId, BrokerCredentials? credentials) =>
        new(ConnectPacket.Mqtt311ProtocolName, ConnectPacket.Mqtt311ProtocolLevel, clientId, true, 0, credentials?.UserName,
            credentials?.Password is { } password ? Encoding.UTF8.GetBytes(password) : null, null);

    /// <summary>Lifts the handshake's timeouts: from now on a receive waits as long as the broker is silent.</summary>
    public static void EndHandshake(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        socket.ReceiveTimeout = 0;
        socket.SendTimeout = 0;
    }

    /// <summary>Connects and completes CONNECT/CONNACK; throws <see cref="BenchException"/> when refused.</summary>
    public static async Task<Socket> ConnectAsync(
        IPEndPoint broker, string clientId, IPAddress? sourceAddress, CancellationToken cancellationToken, BrokerCredentials? credentials = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (sourceAddress is not null)
            {
                socket.Bind(new IPEndPoint(sourceAddress, 0));
            }

            await socket.ConnectAsync(broker, cancellationToken);
            var connect = Connect(clientId, credentials);
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

    private static MqttPacket ReadPacket(Socket socket, int size)
    {
        var buffer = new byte[size];
        var filled = 0;
        while (filled < size)
        {
            var read = socket.Receive(buffer.AsSpan(filled), SocketFlags.None);
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
