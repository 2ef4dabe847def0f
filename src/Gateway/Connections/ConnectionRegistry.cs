using System.Collections.Concurrent;

namespace Broker.Gateway.Connections;

/// <summary>Every open MQTT connection of this gateway by its gateway-local id, from accept to close.</summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<long, MqttConnection> _connections = new();
    private long _lastId;

    public int Count => _connections.Count;

    public ICollection<MqttConnection> Connections => _connections.Values;

    public long NextId() => Interlocked.Increment(ref _lastId);

    public void Add(MqttConnection connection) => _connections[connection.Id] = connection;

    public void Remove(MqttConnection connection) => _connections.TryRemove(connection.Id, out _);

    public bool TryGet(long id, [NotNullWhen(true)] out MqttConnection? connection) => _connections.TryGetValue(id, out connection);
}
