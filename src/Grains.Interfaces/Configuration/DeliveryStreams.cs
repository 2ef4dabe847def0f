using Broker.Streaming;
using Microsoft.Extensions.Configuration;

namespace Broker.Grains.Configuration;

/// <summary>
/// The delivery stream provider as configured under <c>Broker:Streams</c>, for the gateways' Orleans clients; the
/// silos add the same provider under the same name from the same section (the two must agree).
/// </summary>
public static class DeliveryStreams
{
    public static IClientBuilder AddDeliveryStreams(this IClientBuilder client, IConfiguration configuration)
    {
        var streams = configuration.GetSection("Broker:Streams");
        return UsesMemoryStreams(streams)
            ? client.AddMemoryStreams(BrokerStreams.ProviderName)
            : client.AddPushStreams(BrokerStreams.ProviderName, options => streams.GetSection("Push").Bind(options));
    }

    /// <summary>Whether the <c>Broker:Streams</c> section asks for Orleans' memory streams instead of push streams.</summary>
    public static bool UsesMemoryStreams(IConfigurationSection streams) =>
        streams.GetValue("Provider", DeliveryStreamProvider.Push) == DeliveryStreamProvider.Memory;
}
