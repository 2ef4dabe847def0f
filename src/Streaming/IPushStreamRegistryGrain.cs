using System.Collections.Immutable;

namespace Broker.Streaming;

/// <summary>
/// Where producers find a stream's subscribers, one grain per stream (key: provider name, '/', stream id).
/// Subscriptions are leases: the consumer renews each by registering it again, so a registry that lost its state
/// (its silo stopped) learns them again, and one whose consumer died forgets it.
/// </summary>
public interface IPushStreamRegistryGrain : IGrainWithStringKey
{
    /// <summary>Adds or renews a subscription for <paramref name="leaseDuration"/> from now.</summary>
    Task Register(PushSubscriber subscriber, TimeSpan leaseDuration);

    Task Unregister(Guid subscriptionId);

    /// <summary>The subscriptions whose lease has not run out.</summary>
    Task<ImmutableArray<PushSubscriber>> GetSubscribers();

    public static string KeyOf(string providerName, StreamId stream) => $"{providerName}/{stream}";

    /// <summary>The registry of <paramref name="stream"/> under the provider <paramref name="providerName"/>.</summary>
    public static IPushStreamRegistryGrain Of(IGrainFactory grains, string providerName, StreamId stream) =>
        grains.GetGrain<IPushStreamRegistryGrain>(KeyOf(providerName, stream));
}
