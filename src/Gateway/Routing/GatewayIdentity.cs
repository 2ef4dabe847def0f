namespace Broker.Gateway.Routing;

/// <summary>This gateway process's id: the key of its inbox stream and of its entries in instance grains.</summary>
public sealed class GatewayIdentity
{
    public string Id { get; } = $"{Environment.MachineName}-{Guid.NewGuid():N}";
}
