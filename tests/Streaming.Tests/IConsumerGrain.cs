namespace Broker.Streaming.Tests;

/// <summary>A grain that subscribes to push streams in its own methods and reports what it receives.</summary>
public interface IConsumerGrain : IGrainWithStringKey
{
    /// <summary>Subscribes to the stream; every number received is reported to <paramref name="report"/>.</summary>
    Task Subscribe(string streamKey, INumberReport report);

    /// <summary>As <see cref="Subscribe"/>, and unsubscribes while it handles <paramref name="lastItem"/>, once reported.</summary>
    Task SubscribeUntil(string streamKey, INumberReport report, int lastItem);

    /// <summary>The grain's subscriptions to the stream, as it sees them.</summary>
    Task<int> SubscriptionCount(string streamKey);

    /// <summary>Numbers handed to the grain outside its own turns: not on its scheduler, or not with it as the running grain.</summary>
    Task<int> DeliveriesOutsideItsTurns();

    /// <summary>Ends this activation once the call returns.</summary>
    Task Deactivate();

    /// <summary>The silo this activation runs on.</summary>
    Task<SiloAddress> Host();
}
