namespace Broker.Grains;

/// <summary>Names shared by the silo and the gateways for the stream provider that carries deliveries.</summary>
public static class BrokerStreams
{
    public const string ProviderName = "Deliveries";
    public const string GatewayInboxNamespace = "gateway-inbox";

    public static StreamId GatewayInbox(string gatewayId) => StreamId.Create(GatewayInboxNamespace, gatewayId);
}
