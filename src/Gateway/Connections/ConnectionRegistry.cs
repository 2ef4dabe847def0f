using System.Collections.Concurrent;
using Broker.Gateway.Telemetry;

namespace Broker.Gateway.Connections;

/// <summary>Every open MQTT connection of this gateway by its gateway-local id, from accept to close.</summary>
internal sealed class ConnectionRegistry
{
    public ConnectionRegistry(BrokerMetrics metrics) => metrics.ObserveBacklog(Backlog);

    private readonly ConcurrentDictionary<long, MqttConnection> _connections = new();
    private long _lastId;

    public int Count => _connections.Count;

    public ICollection<MqttConnection> Connections => _connections.Values;

    public long NextId() => Interlocked.Increment(ref _lastId);

    public void Add(MqttConnection connection) => _connections[connection.Id] = connection;

    public void Remove(MqttConnection connection) => _connections.TryRemove(connection.Id, out _);

    /// <summary>What waits to reach this gateway's clients, summed over its connections (read when metrics are collected).</summary>
    public (long Messages, long Bytes) Backlog()
    {
        var (messages, bytes) = (0L, 0L);
        foreach (var connection in _connections.Values)
        {
            var backlog = connection.Backlog;
            (messages, bytes) = (messages + backlog.Messages, bytes + backlog.Bytes);
        }

        return (messages, bytes);
    }

    public bool TryGet(long id, [NotNullWhen(true)] out MqttConnection? connection) => _connections.TryGetValue(id, out connection);
}
