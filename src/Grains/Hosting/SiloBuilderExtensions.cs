using Broker.Grains.Catalog;
using Broker.Grains.Configuration;
using Broker.Grains.Instances;
using Broker.Grains.Storage;
using Broker.Streaming;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace Broker.Grains.Hosting;

public static class SiloBuilderExtensions
{
    /// <summary>
    /// Everything a silo needs to host the broker's grains: instance catalog and lease options from the
    /// <c>Broker</c> configuration section, the clock (the system's, unless the host brought a
    /// <see cref="TimeProvider"/>), and the configured delivery streams (<see cref="DeliveryStreams"/>).
    /// </summary>
    public static ISiloBuilder AddBrokerGrains(this ISiloBuilder silo, IConfiguration configuration)
    {
        var broker = configuration.GetSection("Broker");
        silo.Services.AddSingleton<InstanceMetrics>();
        var options = silo.Services.AddOptions<InstanceCatalogOptions>().Bind(broker);
        var mode = broker.GetValue("Mode", BrokerMode.Development);
        if (mode == BrokerMode.Development)
        {
            options.PostConfigure(catalog => catalog.SeedDevelopmentInstances());
        }

        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddOptions<LeaseOptions>().Bind(broker.GetSection("Lease"));
        silo.Services.AddOptions<InstanceStoreOptions>().Bind(broker.GetSection("Limits"));

        silo.AddDeliveryStreams(configuration);

        if (mode == BrokerMode.Development)
        {
            // The single-process broker keeps run-time instances and retained messages in its data folder's
            // database, so they survive a restart; catalog files of earlier versions are imported when first read.
            var dataFolder = DataFolder.Resolve(broker["DataPath"]);
            silo.AddBrokerDatabase(BrokerDatabase.Sqlite(dataFolder), serializer => new EarlierStateFiles(Path.Combine(dataFolder, "grains"), serializer));
        }
        else if (broker["Database"] is { Length: > 0 } connectionString)
        {
            silo.AddBrokerDatabase(BrokerDatabase.PostgreSql(connectionString), earlierFiles: null);

            // Only a cluster's gateways outlive a silo, so only there does a new activation wait for them.
            silo.Services.AddSingleton<IGatewayRoster, SqlGatewayRoster>();
        }
        else
        {
            // Only a test cluster runs without a database: run-time instances and retained messages then last as
            // long as the silos.
            silo.AddMemoryGrainStorage(CatalogStorage.Name);
            silo.Services.AddSingleton<IRetainedMessageStore, VolatileRetainedMessages>();
        }

        silo.Services.TryAddSingleton<IGatewayRoster, NoGatewayRoster>();

        return silo;
    }

    /// <summary>The instance catalog's state and the retained messages in <paramref name="database"/>, migrated when the silo starts.</summary>
    private static void AddBrokerDatabase(this ISiloBuilder silo, BrokerDatabase database, Func<IGrainStorageSerializer, EarlierStateFiles>? earlierFiles)
    {
        silo.Services.AddSingleton(database);
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, DatabaseMigration>();
        silo.Services.AddGrainStorage(CatalogStorage.Name, (services, _) =>
        {
            var serializer = new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>());
            return new SqlGrainStorage(database, serializer, earlierFiles?.Invoke(serializer));
        });
        silo.Services.AddSingleton<IRetainedMessageStore, SqlRetainedMessageStore>();
    }

    /// <summary>The delivery streams configured under <c>Broker:Streams</c>, as the gateways' clients add them (<see cref="DeliveryStreams"/>).</summary>
    private static void AddDeliveryStreams(this ISiloBuilder silo, IConfiguration configuration)
    {
        var streams = configuration.GetSection("Broker:Streams");
        if (!DeliveryStreams.UsesMemoryStreams(streams))
        {
            silo.AddPushStreams(BrokerStreams.ProviderName, options => streams.GetSection("Push").Bind(options));
            return;
        }

        // The pulling agent is tuned for latency: the default 100 ms poll alone would add ~100 ms at p99.
        var partitions = streams.GetValue("Partitions", 2);
        var pollPeriod = streams.GetValue("PollPeriod", TimeSpan.FromMilliseconds(1));
        silo.AddMemoryStreams(BrokerStreams.ProviderName, stream =>
        {
            stream.ConfigurePartitioning(partitions);
            stream.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = pollPeriod));
        });
        silo.AddMemoryGrainStorage("PubSubStore");
    }
}
