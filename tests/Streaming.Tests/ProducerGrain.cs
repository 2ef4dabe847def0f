namespace Broker.Streaming.Tests;

/// <summary>Produces numbers on a push stream from the silo it is activated on, and tells which silo that is.</summary>
public sealed class ProducerGrain(ILocalSiloDetails silo) : Grain, IProducerGrain
{
    public Task Produce(string streamKey, int[] items) =>
        this.GetStreamProvider(PushCluster.Provider).GetStream<int>(PushCluster.Stream(streamKey)).OnNextBatchAsync(items);

    public Task<SiloAddress> Host() => Task.FromResult(silo.SiloAddress);
}
