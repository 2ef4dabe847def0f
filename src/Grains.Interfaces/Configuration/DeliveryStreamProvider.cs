namespace Broker.Grains.Configuration;

/// <summary>Which stream provider carries deliveries from instances to gateways (<c>Broker:Streams:Provider</c>).</summary>
public enum DeliveryStreamProvider
{
    /// <summary>The broker's push streams: instances call the gateways' sinks directly.</summary>
    Push,

    /// <summary>Orleans' memory streams: queues in the silos, polled by pulling agents.</summary>
    Memory,
}
