namespace Broker.Streaming.Tests;

public sealed class ProducerGrain : Grain, IProducerGrain
{
    public Task Produce(string streamKey, int[] items) =>
        this.GetStreamProvider(PushCluster.Provider).GetStream<int>(PushCluster.Stream(streamKey)).OnNextBatchAsync(items);
}
