using Broker.Streaming;
using Microsoft.Extensions.Configuration;

namespace Broker.Grains.Configuration;

/// <summary>
/// The delivery stream provider as configured under <c>Broker:Streams</c>, for the gateways' Orleans clients; the
/// silos add the same provider under the same name (the two must agree).
/// </summary>
public static class DeliveryStreams
{
    public static DeliveryStreamProvider Configured(IConfiguration configuration) =>
        configuration.GetValue("Broker:Streams:Provider", DeliveryStreamProvider.Push);

    public static IClientBuilder AddDeliveryStreams(this IClientBuilder client, IConfiguration configuration) =>
        Configured(configuration) == DeliveryStreamProvider.Memory
            ? client.AddMemoryStreams(BrokerStreams.ProviderName)
            : client.AddPushStreams(BrokerStreams.ProviderName, options => configuration.GetSection("Broker:Streams:Push").Bind(options));
}
