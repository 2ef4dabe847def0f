using Broker.Grains;
using Broker.Streaming;
using Orleans.Streams;

namespace Broker.Gateway.Routing;

/// <summary>
/// This gateway's subscription to its inbox stream, as <see cref="GatewayInbox"/> made it, for whoever must renew it
/// at once: the gateway renews it before it restores its connections into an instance activated again, because the
/// silo that was lost may have held the stream's registry, and the new activation's deliveries would find nobody.
/// </summary>
internal sealed class InboxSubscription
{
    private volatile StreamSubscriptionHandle<InboxBatch>? _handle;

    public StreamSubscriptionHandle<InboxBatch>? Handle
    {
        get => _handle;
        set => _handle = value;
    }

    public Task RenewAsync() => _handle?.RenewAsync() ?? Task.CompletedTask;
}
