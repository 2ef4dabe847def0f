using Orleans.Streams;

namespace Broker.Streaming.Tests;

/// <summary>
/// Subscribes to push streams in its own methods and reports every number it receives; counts the numbers that were
/// not handed to it in a turn of its own.
/// </summary>
public sealed class ConsumerGrain(IGrainContextAccessor running, ILocalSiloDetails silo) : Grain, IConsumerGrain
{
    private int _deliveriesOutsideItsTurns;

    public Task Subscribe(string streamKey, INumberReport report) => SubscribeAsync(streamKey, report, lastItem: null);

    public Task SubscribeUntil(string streamKey, INumberReport report, int lastItem) => SubscribeAsync(streamKey, report, lastItem);

    public async Task<int> SubscriptionCount(string streamKey) => (await Stream(streamKey).GetAllSubscriptionHandles()).Count;

    public Task<int> DeliveriesOutsideItsTurns() => Task.FromResult(_deliveriesOutsideItsTurns);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task<SiloAddress> Host() => Task.FromResult(silo.SiloAddress);

    private async Task SubscribeAsync(string streamKey, INumberReport report, int? lastItem)
    {
        StreamSubscriptionHandle<int>? handle = null;
        handle = await Stream(streamKey).SubscribeAsync(async (item, token) =>
        {
            // A turn of this grain runs on its scheduler, with it as the running grain.
            if (running.GrainContext != GrainContext || TaskScheduler.Current == TaskScheduler.Default)
            {
                _deliveriesOutsideItsTurns++;
            }

            await report.Report(item, (PushSequenceToken)token!);
            if (item == lastItem)
            {
                await handle!.UnsubscribeAsync();
            }
        });
    }

    private IAsyncStream<int> Stream(string key) => this.GetStreamProvider(PushCluster.Provider).GetStream<int>(PushCluster.Stream(key));
}
