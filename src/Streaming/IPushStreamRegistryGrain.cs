using System.Collections.Immutable;

namespace Broker.Streaming;

/// <summary>
/// Where producers find a stream's subscribers, one grain per stream (key: provider name, '/', stream id).
/// Subscriptions are leases: the consumer renews each by registering it again, so a registry that lost its state
/// (its silo stopped) learns them again, and one whose consumer died forgets it. Its calls time out soon: one lost
/// with a silo would otherwise hold back a consumer's renewals, or a producer's lookup, for the default 30 s.
/// </summary>
public interface IPushStreamRegistryGrain : IGrainWithStringKey
{
    /// <summary>Adds or renews a subscription for <paramref name="leaseDuration"/> from now.</summary>
    [ResponseTimeout("00:00:05")]
    Task Register(PushSubscriber subscriber, TimeSpan leaseDuration);

    [ResponseTimeout("00:00:05")]
    Task Unregister(Guid subscriptionId);

    /// <summary>The subscriptions whose lease has not run out.</summary>
    [ResponseTimeout("00:00:05")]
    Task<ImmutableArray<PushSubscriber>> GetSubscribers();

    public static string KeyOf(string providerName, StreamId stream) => $"{providerName}/{stream}";

    /// <summary>The registry of <paramref name="stream"/> under the provider <paramref name="providerName"/>.</summary>
    public static IPushStreamRegistryGrain Of(IGrainFactory grains, string providerName, StreamId stream) =>
        grains.GetGrain<IPushStreamRegistryGrain>(KeyOf(providerName, stream));
}
