namespace Broker.Streaming.Tests;

/// <summary>A grain that produces numbers on a push stream, as the broker's instance grains produce deliveries.</summary>
public interface IProducerGrain : IGrainWithStringKey
{
    Task Produce(string streamKey, int[] items);

    /// <summary>The silo this activation runs on.</summary>
    Task<SiloAddress> Host();
}
