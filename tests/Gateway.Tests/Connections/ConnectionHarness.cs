using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using System.Text;
using Broker.Gateway.Connections;
using Broker.Gateway.Options;
using Broker.Gateway.Telemetry;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Broker.Gateway.Tests.Connections;

/// <summary>
/// One <see cref="MqttConnection"/> over two in-memory pipes, against a <see cref="FakeInstanceDirectory"/>, on fake
/// time: the test is the client at the other ends of the pipes, and nothing else runs.
/// </summary>
internal sealed class ConnectionHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public ConnectionHarness(Action<GatewayOptions>? configure = null)
    {
        var options = new GatewayOptions { MaxInflightMessages = 4, MaxQueuedMessages = 16 };
        configure?.Invoke(options);
        var metrics = new BrokerMetrics(_metrics.GetRequiredService<IMeterFactory>());
        Registry = new ConnectionRegistry(metrics);
        Services = new ConnectionServices(
            Microsoft.Extensions.Options.Options.Create(options),
            Registry,
            Directory,
            metrics,
            Time,
            Log.CreateLogger<MqttConnection>());
        Connection = new MqttConnection(Services, new DuplexPipe(_toServer.Reader, _toClient.Writer), "test", "tcp");
        Run = Connection.RunAsync(CancellationToken.None);
    }

    public FakeTimeProvider Time { get; } = new();

    public FakeInstanceDirectory Directory { get; } = new();

    public ConnectionRegistry Registry { get; }

    public LogRecorder Log { get; } = new();

    public ConnectionServices Services { get; }

    public MqttConnection Connection { get; }

    /// <summary>Completes when the connection has ended.</summary>
    public Task Run { get; }

    public KeepAliveMonitor KeepAliveMonitor => new(Registry, Time);

    public static ConnectPacket Connect(string clientId = "client", ushort keepAliveSeconds = 60, string secret = FakeInstanceDirectory.Secret, WillMessage? will = null) =>
        new(ConnectPacket.Mqtt311ProtocolName, ConnectPacket.Mqtt311ProtocolLevel, clientId, CleanSession: true, keepAliveSeconds, "instance", Encoding.UTF8.GetBytes(secret), will);

    /// <summary>Sends CONNECT, expects CONNACK 0 and returns the instance session the connection joined.</summary>
    public async Task<FakeInstanceSession> ConnectAsync(ConnectPacket? connect = null)
    {
        await SendAsync(connect ?? Connect());
        Assert.Equal(new ConnAckPacket(SessionPresent: false, ConnectReturnCode.Accepted), await ReceiveAsync<ConnAckPacket>());
        return await Directory.Joined.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
    }

    public async Task SendAsync(params MqttPacket[] packets)
    {
        foreach (var packet in packets)
        {
            packet.Write(_toServer.Writer);
        }

        await _toServer.Writer.FlushAsync();
    }

    public async Task SendRawAsync(byte[] bytes) => await _toServer.Writer.WriteAsync(bytes);

    /// <summary>The client closes its side of the network connection.</summary>
    public Task CloseAsync() => _toServer.Writer.CompleteAsync().AsTask();

    /// <summary>The next packet the connection sent, or null when it closed its output.</summary>
    public async Task<MqttPacket?> ReceiveOrEndAsync()
    {
        var reader = _toClient.Reader;
        while (true)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
            var buffer = result.Buffer;
            if (PacketReader.TryRead(ref buffer, 1 << 20, out var packet))
            {
                reader.AdvanceTo(buffer.Start);
                return packet;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return buffer.IsEmpty ? null : throw new InvalidOperationException("the connection closed inside a packet");
            }
        }
    }

    public async Task<MqttPacket> ReceiveAsync() => await ReceiveOrEndAsync() ?? throw new InvalidOperationException("the connection closed");

    public async Task<T> ReceiveAsync<T>()
        where T : MqttPacket => Assert.IsType<T>(await ReceiveAsync());

    /// <summary>Waits for the connection to end, with nothing more sent before its end.</summary>
    public async Task EndedAsync()
    {
        await Run.WaitAsync(Timeout);
        Assert.Null(await ReceiveOrEndAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Connection.Abort("the test ended");
        await Run.WaitAsync(Timeout);
        await _metrics.DisposeAsync();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
