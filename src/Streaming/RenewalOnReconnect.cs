namespace Broker.Streaming;

/// <summary>
/// A client that connects to a gateway again (after an outage, or to a silo that joined) renews its push
/// subscriptions at once: silos that restarted have empty registries, and would otherwise learn of the client's
/// subscriptions only at the next renewal period.
/// </summary>
internal sealed class RenewalOnReconnect(Func<PushStreamProvider> provider) : IClusterConnectionStatusObserver
{
    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (connectionRecovered || currentNumberOfGateways > previousNumberOfGateways)
        {
            _ = provider().Subscriptions.RenewAllAsync();
        }
    }

    public void NotifyClusterConnectionLost()
    {
    }
}
