
namespace Broker.TestHost;

/// <summary>A connected MQTT client of any kind and transport, reduced to what the cross-transport tests do.</summary>
public interface ITransportClient : IAsyncDisposable
{
    /// <summary>Subscribes at QoS 1 and returns once the broker granted it.</summary>
    Task SubscribeAsync(string filter);

    /// <summary>Publishes at QoS 1 and returns once the broker acknowledged it.</summary>
    Task PublishAsync(string topic, string payload);

    /// <summary>The next message received; throws <see cref="TimeoutException"/> when none arrives in time.</summary>
    Task<ReceivedMessage> ReceiveAsync();
}
