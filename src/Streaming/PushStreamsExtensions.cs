using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Broker.Streaming;

/// <summary>Adds a push stream provider under a name, on silos and clients alike, and tells push streams from others.</summary>
public static class PushStreamsExtensions
{
    public static ISiloBuilder AddPushStreams(this ISiloBuilder silo, string name, Action<PushStreamOptions>? configure = null)
    {
        silo.Services.AddPushStreams(name, configure);
        return silo;
    }

    public static IClientBuilder AddPushStreams(this IClientBuilder client, string name, Action<PushStreamOptions>? configure = null)
    {
        client.Services.AddPushStreams(name, configure);
        client.Services.AddSingleton<IClusterConnectionStatusObserver>(services =>
            new RenewalOnReconnect(() => (PushStreamProvider)services.GetRequiredKeyedService<IStreamProvider>(name)));
        return client;
    }

    /// <summary>
    /// Whether the provider's streams keep the order of produce calls that are not awaited: push streams do, and
    /// their tasks complete only once the subscribers have the items; Orleans' persistent streams (memory streams
    /// among them) keep a producer's order only if it awaits each call.
    /// </summary>
    public static bool KeepsCallOrder(this IStreamProvider provider) => provider is PushStreamProvider;

    /// <summary>
    /// Registers a push stream subscription with its stream's registry again now, rather than at the next renewal: a
    /// consumer that knows a silo was lost makes sure that a registry that died with it knows the subscription again.
    /// Other providers' subscriptions need nothing of the kind.
    /// </summary>
    public static Task RenewAsync<T>(this StreamSubscriptionHandle<T> subscription) =>
        subscription is PushSubscriptionHandle<T> push ? push.RenewAsync() : Task.CompletedTask;

    private static void AddPushStreams(this IServiceCollection services, string name, Action<PushStreamOptions>? configure)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<PushStreamOptions>(name).Configure(options => configure?.Invoke(options));
        services.AddKeyedSingleton<IStreamProvider>(name, (provider, _) =>
            new PushStreamProvider(name, provider, provider.GetRequiredService<IOptionsMonitor<PushStreamOptions>>().Get(name)));
    }
}
