namespace Broker.Grains;

/// <summary>
/// A subscription as the instance stores it: the filter without a leading '/', and whether the client wrote one,
/// so that the topics it receives get a leading '/' too.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SubscriptionRequest([property: Id(0)] string Filter, [property: Id(1)] byte Qos, [property: Id(2)] bool RootSlash = false);
