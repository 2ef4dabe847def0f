namespace Broker.Grains;

/// <summary>
/// A token secret as the broker keeps it: a random salt of the token's own and SHA-256 of salt and secret, so
/// that stored state and the definitions sent to instances never hold the secret itself.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SecretHash([property: Id(0)] byte[] Salt, [property: Id(1)] byte[] Digest);
