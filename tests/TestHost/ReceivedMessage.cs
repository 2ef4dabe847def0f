using MQTTnet.Protocol;

namespace Broker.TestHost;

/// <summary>A message as a test client received it, copied out of the client's buffers.</summary>
public sealed record ReceivedMessage(string Topic, string Payload, MqttQualityOfServiceLevel Qos, bool Retain);
