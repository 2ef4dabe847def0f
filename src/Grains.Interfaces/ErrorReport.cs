namespace Broker.Grains;

/// <summary>
/// A rule a client broke, reported by its gateway so that the instance shows it as an <c>errored</c> event.
/// <see cref="Connection"/> is null when the client had not joined the instance yet (a refused CONNECT).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ErrorReport(
    [property: Id(0)] ConnectionAddress? Connection,
    [property: Id(1)] string Code,
    [property: Id(2)] string? Topic = null);

/// <summary>The codes of <c>errored</c> events.</summary>
public static class ErrorCodes
{
    public const string InvalidTopic = "invalid-topic";
    public const string MalformedPacket = "malformed-packet";
    public const string ProtocolViolation = "protocol-violation";
    public const string PayloadTooLarge = "payload-too-large";
    public const string TooManySubscriptions = "too-many-subscriptions";
    public const string ReadOnly = "read-only";
    public const string ClientIdTooLong = "client-id-too-long";
    public const string InvalidAction = "invalid-action";
    public const string UnknownTarget = "unknown-target";
}
