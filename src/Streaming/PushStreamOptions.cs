namespace Broker.Streaming;

/// <summary>How a push stream provider keeps subscriptions, bounds what waits for a slow consumer, and how long producers wait for consumers.</summary>
public sealed class PushStreamOptions
{
    /// <summary>
    /// How often a consumer renews its subscriptions with the streams' registries. A registry that lost them (its
    /// silo stopped) has them again after one period, and delivery resumes.
    /// </summary>
    public TimeSpan RenewalPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a registry keeps a subscription that is not renewed: a consumer that died is forgotten then.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a producer uses the subscribers it looked up for a stream before asking the registry again.</summary>
    public TimeSpan SubscriberRefreshPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a producing silo keeps what it knows of a stream nothing was produced on.</summary>
    public TimeSpan OutletIdleTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Items that may wait for one consumer while a call to it is in flight; beyond it the oldest are dropped.</summary>
    public int MaxQueuedItems { get; set; } = 10_000;

    /// <summary>
    /// Bytes that may wait for one consumer, as <see cref="ISizedStreamItem"/> items count them; beyond it the oldest
    /// are dropped (the newest item always stays, however large).
    /// </summary>
    public long MaxQueuedBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// How long a produce call waits for its items to be accepted by a subscriber in another process before it is
    /// released without that subscriber's word. A subscriber that kept a producer waiting this long is not waited for
    /// again until it has caught up (nothing of it queued or in flight): what it is sent meanwhile is not confirmed to
    /// anyone, so it is lost if the producing process dies before sending it. Zero: producers never wait, and a
    /// produce call completes once its items are queued.
    /// </summary>
    public TimeSpan ConfirmationTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
