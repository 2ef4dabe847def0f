namespace Broker.Protocol;

/// <summary>SUBACK return codes: the granted QoS per filter, or failure.</summary>
public enum SubscribeReturnCode : byte
{
    GrantedQos0 = 0,
    GrantedQos1 = 1,
    GrantedQos2 = 2,
    Failure = 0x80,
}
