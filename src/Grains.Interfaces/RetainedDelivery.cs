namespace Broker.Grains;

/// <summary>A retained message sent to a new subscription, at the QoS that subscription grants it, with its leading-'/' choice.</summary>
[GenerateSerializer, Immutable]
public readonly record struct RetainedDelivery([property: Id(0)] PublishedMessage Message, [property: Id(1)] byte Qos, [property: Id(2)] bool RootSlash = false);
