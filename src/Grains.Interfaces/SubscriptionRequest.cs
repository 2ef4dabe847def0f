namespace Broker.Grains;

[GenerateSerializer, Immutable]
public sealed record SubscriptionRequest([property: Id(0)] string Filter, [property: Id(1)] byte Qos);
