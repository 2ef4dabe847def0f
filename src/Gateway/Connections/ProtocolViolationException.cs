using Broker.Grains;

namespace Broker.Gateway.Connections;

/// <summary>
/// A well-formed packet that breaks the MQTT session rules or the instance rules; the connection is closed with
/// this reason, and once it joined an instance the violation is an <c>errored</c> event with <see cref="Code"/>.
/// </summary>
internal sealed class ProtocolViolationException(string reason, string code = ErrorCodes.ProtocolViolation, string? topic = null)
    : Exception(reason)
{
    public string Code { get; } = code;

    /// <summary>The topic that broke a rule, if a topic did.</summary>
    public string? Topic { get; } = topic;
}
