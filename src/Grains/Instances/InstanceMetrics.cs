using System.Diagnostics.Metrics;

namespace Broker.Grains.Instances;

/// <summary>What a silo's instances report on the broker's meter (<c>Broker</c>, the gateways' meter's name).</summary>
public sealed class InstanceMetrics
{
    public const string MeterName = "Broker";

    public InstanceMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        RetainedMessages = meter.CreateUpDownCounter<long>("broker.retained.messages", description: "Retained messages held by the instances active on this silo");
        StoreWriteDuration = meter.CreateHistogram<double>("broker.store.write.duration", unit: "ms", description: "Duration of an instance's write of a turn's retained changes to its database");
    }

    public UpDownCounter<long> RetainedMessages { get; }

    public Histogram<double> StoreWriteDuration { get; }
}
