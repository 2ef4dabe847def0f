using Orleans.Concurrency;
using Orleans.Streams;

namespace Broker.Streaming.Tests;

/// <summary>A stateless worker that subscribes to a push stream in its own method, which push streams refuse.</summary>
[StatelessWorker]
public sealed class StatelessConsumerGrain : Grain, IStatelessConsumerGrain
{
    public async Task Subscribe(string streamKey) =>
        await this.GetStreamProvider(PushCluster.Provider).GetStream<int>(PushCluster.Stream(streamKey)).SubscribeAsync((_, _) => Task.CompletedTask);
}
