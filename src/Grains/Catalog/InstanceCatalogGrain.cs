using Broker.Grains.Instances;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Broker.Grains.Catalog;

/// <summary>
/// The cluster's list of instances. Configuration declares some (they are read-only here); the admin API creates
/// and deletes the others, which are written to grain state before the answer. Every change is pushed to the
/// instance's grain, so connections whose token is gone are closed at once. Token secrets are kept as salted
/// hashes only, in state and in the definitions handed out; state from before that is hashed when it is read.
/// </summary>
public sealed partial class InstanceCatalogGrain(
    [PersistentState(CatalogStorage.StateName, CatalogStorage.Name)] IPersistentState<CatalogState> state,
    IOptionsMonitor<InstanceCatalogOptions> configuration,
    ILogger<InstanceCatalogGrain> logger) : Grain, IInstanceCatalogGrain
{
    private InstanceCatalogOptions? _configuredFrom;
    private Dictionary<string, InstanceDefinition> _configured = new(StringComparer.Ordinal);

    private Dictionary<string, InstanceDefinition> Created => state.State.Instances;

    /// <summary>
    /// The instances configuration declares, their secrets hashed once per version of the configuration rather
    /// than on every read, which would cost a hash per token and hand out new salts each time.
    /// </summary>
    private Dictionary<string, InstanceDefinition> ConfiguredInstances
    {
        get
        {
            var current = configuration.CurrentValue;
            if (!ReferenceEquals(current, _configuredFrom))
            {
                _configured = current.Instances.ToDictionary(instance => instance.Key, instance => Configured(instance.Key, instance.Value), StringComparer.Ordinal);
                _configuredFrom = current;
            }

            return _configured;
        }
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var hashed = HashPlainSecrets();
        if (hashed == 0)
        {
            return;
        }

        // Clients get in with the hashes whether or not they are stored yet; a failed write leaves the plain
        // secrets on disk until the next change of the catalog rather than the whole catalog unavailable.
        try
        {
            await state.WriteStateAsync(cancellationToken);
            LogSecretsHashed(hashed);
        }
        catch (Exception exception)
        {
            LogHashedSecretsNotStored(exception, hashed);
        }
    }

    public Task<ImmutableArray<InstanceDefinition>> List()
    {
        var all = ConfiguredInstances.Values.Concat(Created.Values.Where(created => !IsConfigured(created.Name)));
        return Task.FromResult(all.OrderBy(instance => instance.Name, StringComparer.Ordinal).ToImmutableArray());
    }

    public Task<InstanceDefinition?> Get(string name) => Task.FromResult(Find(name));

    public async Task<CatalogChange> Create(string name, bool allowAnonymous)
    {
        if (Find(name) is not null)
        {
            return CatalogChange.AlreadyExists;
        }

        Created[name] = new InstanceDefinition(name, [], allowAnonymous);
        await state.WriteStateAsync();
        LogCreated(name);
        await PushAsync(name);
        return CatalogChange.Done;
    }

    public async Task<CatalogChange> Delete(string name)
    {
        var change = Check(name);
        if (change != CatalogChange.Done)
        {
            return change;
        }

        Created.Remove(name);
        await state.WriteStateAsync();
        LogDeleted(name);
        await PushAsync(name);
        return CatalogChange.Done;
    }

    public async Task<TokenAddition> AddToken(string instance, string secret, bool readOnly)
    {
        var change = Check(instance);
        if (change != CatalogChange.Done)
        {
            return new TokenAddition(change);
        }

        var token = Hashed(Guid.NewGuid().ToString("N")[..16], secret, readOnly);
        var definition = Created[instance];
        Created[instance] = definition with { Tokens = definition.Tokens.Add(token) };
        await state.WriteStateAsync();
        LogTokenAdded(token.Id, instance, readOnly);
        await PushAsync(instance);

        // The creator chose or was given the secret: the answer is the one place it is told.
        return new TokenAddition(CatalogChange.Done, new TokenDefinition(token.Id, secret, readOnly));
    }

    public async Task<CatalogChange> DeleteToken(string instance, string tokenId)
    {
        var change = Check(instance);
        if (change != CatalogChange.Done)
        {
            return change;
        }

        var definition = Created[instance];
        var remaining = definition.Tokens.RemoveAll(token => token.Id == tokenId);
        if (remaining.Length == definition.Tokens.Length)
        {
            return CatalogChange.NotFound;
        }

        Created[instance] = definition with { Tokens = remaining };
        await state.WriteStateAsync();
        LogTokenDeleted(tokenId, instance);
        await PushAsync(instance);
        return CatalogChange.Done;
    }

    private InstanceDefinition? Find(string name) =>
        ConfiguredInstances.TryGetValue(name, out var configured) ? configured : Created.GetValueOrDefault(name);

    /// <summary>Whether a run-time instance may be changed: it exists and configuration does not declare it.</summary>
    private CatalogChange Check(string name) =>
        IsConfigured(name) ? CatalogChange.Configured
        : Created.ContainsKey(name) ? CatalogChange.Done
        : CatalogChange.NotFound;

    private bool IsConfigured(string name) => ConfiguredInstances.ContainsKey(name);

    private Task PushAsync(string name) => GrainFactory.GetGrain<IInstanceGrain>(name).Redefine(Find(name));

    /// <summary>
    /// Replaces the plain secrets of state written before secrets were hashed with their hashes, keeping the
    /// tokens' ids; returns how many there were.
    /// </summary>
    private int HashPlainSecrets()
    {
        var hashed = 0;
        foreach (var (name, definition) in Created.ToArray())
        {
            if (definition.Tokens.Any(token => token.Secret.Length > 0))
            {
                hashed += definition.Tokens.Count(token => token.Secret.Length > 0);
                Created[name] = definition with
                {
                    Tokens = [.. definition.Tokens.Select(token => token.Secret.Length > 0 ? Hashed(token.Id, token.Secret, token.ReadOnly) : token)],
                };
            }
        }

        return hashed;
    }

    /// <summary>A declared instance, its tokens numbered by their position in configuration.</summary>
    private static InstanceDefinition Configured(string name, InstanceOptions options) => new(
        name,
        [.. options.Tokens.Select((token, index) => Hashed($"config-{index}", token.Secret, token.ReadOnly))],
        options.AllowAnonymous,
        Configured: true);

    /// <summary>A token as the catalog keeps it: its secret hashed, not in plain text. An empty secret gets no hash and so lets nobody in.</summary>
    private static TokenDefinition Hashed(string id, string secret, bool readOnly) =>
        new(id, "", readOnly, secret.Length > 0 ? TokenSecrets.Hash(secret) : null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance} created")]
    private partial void LogCreated(string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance} deleted")]
    private partial void LogDeleted(string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "Token {TokenId} (read-only: {ReadOnly}) added to instance {Instance}")]
    private partial void LogTokenAdded(string tokenId, string instance, bool readOnly);

    [LoggerMessage(Level = LogLevel.Information, Message = "Token {TokenId} of instance {Instance} deleted")]
    private partial void LogTokenDeleted(string tokenId, string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "The instance catalog held {Count} token secrets in plain text; they are stored hashed now")]
    private partial void LogSecretsHashed(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The instance catalog hashed {Count} token secrets it held in plain text, but could not store them hashed yet")]
    private partial void LogHashedSecretsNotStored(Exception exception, int count);
}
