namespace Broker.Protocol;

/// <summary>One topic filter of a SUBSCRIBE with the maximum QoS the client asks for.</summary>
public sealed record TopicSubscription(string Filter, QualityOfService Qos);
