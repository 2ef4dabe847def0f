namespace Broker.Grains;

/// <summary>
/// An instance and the tokens that let clients in. <see cref="Configured"/> instances are declared in configuration
/// and cannot be changed at run time; the others were created through the admin API.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record InstanceDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] ImmutableArray<TokenDefinition> Tokens,
    [property: Id(2)] bool AllowAnonymous = false,
    [property: Id(3)] bool Configured = false);

/// <summary>
/// A token of an instance: clients present its secret as their password, which is checked against
/// <see cref="Hash"/>. <see cref="Secret"/>, the secret in plain text, is empty everywhere but in the answer to
/// <see cref="IInstanceCatalogGrain.AddToken"/>, which hands it to its creator once, and in catalog state written
/// before secrets were hashed, which the catalog hashes when it reads it. The secret is never logged.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TokenDefinition(
    [property: Id(0)] string Id,
    [property: Id(1)] string Secret,
    [property: Id(2)] bool ReadOnly = false,
    [property: Id(3)] SecretHash? Hash = null);

/// <summary>The outcome of a change to the instance catalog.</summary>
public enum CatalogChange
{
    Done,
    NotFound,
    AlreadyExists,

    /// <summary>The instance is declared in configuration, which alone changes it.</summary>
    Configured,
}
