namespace Broker.Protocol;

/// <summary>Delivery guarantee of a message, with the spec's wire values.</summary>
public enum QualityOfService : byte
{
    AtMostOnce = 0,
    AtLeastOnce = 1,
    ExactlyOnce = 2,
}
