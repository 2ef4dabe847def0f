using System.Collections.Concurrent;
using System.Diagnostics;
using Broker.TestHost;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.Processes;

/// <summary>
/// Publishes numbered QoS 1 messages to <c>load/{name}</c> one at a time through the gateways on <paramref name="ports"/>
/// (the first that lets it in, as clients behind a Service reach any gateway); a publish that fails is sent again,
/// after reconnecting when the connection was lost, so a number may arrive twice but is only counted once it is
/// acknowledged.
/// </summary>
internal sealed class LoadPublisher(string name, params int[] ports)
{
    private readonly ConcurrentQueue<int> _acknowledged = new();
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _next;

    public string Name { get; } = name;

    public IEnumerable<int> Acknowledged => _acknowledged;

    public int AcknowledgedCount => _acknowledged.Count;

    public int Reconnects { get; private set; }

    /// <summary>The longest time from sending a number to its acknowledgement, reconnections included.</summary>
    public TimeSpan LongestWait { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        MqttTestClient? client = null;
        try
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var started = Stopwatch.StartNew();
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        if (client is not { Client.IsConnected: true })
                        {
                            if (client is not null)
                            {
                                await client.DisposeAsync();
                                client = null;
                                Reconnects++;
                            }

                            client = await MqttTestClient.ConnectAsync("127.0.0.1", ports[_next++ % ports.Length], ClusterProcesses.Client());
                        }

                        if ((await client.PublishAsync($"load/{Name}", $"{n}")).IsSuccess)
                        {
                            break;
                        }
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException || !stop.IsCancellationRequested)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
                    }
                }

                if (stop.IsCancellationRequested)
                {
                    return;
                }

                LongestWait = started.Elapsed > LongestWait ? started.Elapsed : LongestWait;
                _acknowledged.Enqueue(n);
                Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
        finally
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }
        }
    }

    public async Task WaitForAcknowledgedAsync(int count)
    {
        while (AcknowledgedCount < count)
        {
            await Volatile.Read(ref _progress).Task;
        }
    }
}

/// <summary>A QoS 1 subscriber to every load publisher's topic that keeps what it received and counts repeats.</summary>
internal sealed class LoadSubscriber : IAsyncDisposable
{
    private readonly HashSet<string> _received = [];

    private LoadSubscriber(MqttTestClient client) => Client = client;

    public MqttTestClient Client { get; }

    public IReadOnlySet<string> Received => _received;

    public int Duplicates { get; private set; }

    public static async Task<LoadSubscriber> ConnectAsync(int port)
    {
        var client = await MqttTestClient.ConnectAsync("127.0.0.1", port, ClusterProcesses.Client());
        await client.SubscribeAsync("load/#", MqttQualityOfServiceLevel.AtLeastOnce);
        return new LoadSubscriber(client);
    }

    /// <summary>Receives until every message of <paramref name="expected"/> came, or nothing came for <paramref name="timeout"/>.</summary>
    public async Task WaitForAllAsync(IReadOnlySet<string> expected, TimeSpan timeout)
    {
        while (!expected.IsSubsetOf(_received))
        {
            ReceivedMessage message;
            try
            {
                message = await Client.ReceiveAsync(timeout);
            }
            catch (TimeoutException)
            {
                return;
            }

            if (!_received.Add($"{message.Topic["load/".Length..]}:{message.Payload}"))
            {
                Duplicates++;
            }
        }
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
