using Orleans.Concurrency;

namespace Broker.Grains;

/// <summary>
/// The instances that exist: those declared in configuration and those created at run time through the admin
/// API, which it keeps in grain state. One activation per cluster (key <see cref="Key"/>). An instance grain
/// reads its definition here when it activates and is told of every later change.
/// </summary>
[Alias("Broker.IInstanceCatalogGrain")]
public interface IInstanceCatalogGrain : IGrainWithIntegerKey
{
    public const long Key = 0;

    [Alias("List")]
    Task<ImmutableArray<InstanceDefinition>> List();

    /// <summary>
    /// An instance's definition, or null. It interleaves with changes, because a change calls the instance grain,
    /// which may be activating and asking for its definition.
    /// </summary>
    [Alias("Get"), AlwaysInterleave]
    Task<InstanceDefinition?> Get(string name);

    /// <summary>Creates an instance without tokens; <paramref name="allowAnonymous"/> lets clients in without a password.</summary>
    [Alias("Create")]
    Task<CatalogChange> Create(string name, bool allowAnonymous);

    /// <summary>Deletes a run-time instance: its connections are closed and its messages forgotten.</summary>
    [Alias("Delete")]
    Task<CatalogChange> Delete(string name);

    /// <summary>Adds a token with the given secret; returns the new token (with its secret) when the change is done.</summary>
    [Alias("AddToken")]
    Task<TokenAddition> AddToken(string instance, string secret, bool readOnly);

    /// <summary>Deletes a token; the connections that used it are closed.</summary>
    [Alias("DeleteToken")]
    Task<CatalogChange> DeleteToken(string instance, string tokenId);
}

/// <summary>The outcome of <see cref="IInstanceCatalogGrain.AddToken"/>: the new token when the change is done.</summary>
[GenerateSerializer, Immutable]
public sealed record TokenAddition([property: Id(0)] CatalogChange Change, [property: Id(1)] TokenDefinition? Token = null);
