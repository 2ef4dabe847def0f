using Broker.Grains.Instances;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Broker.Grains.Catalog;

/// <summary>
/// The cluster's list of instances. Configuration declares some (they are read-only here); the admin API creates
/// and deletes the others, which are written to grain state before the answer. Every change is pushed to the
/// instance's grain, so connections whose token is gone are closed at once.
/// </summary>
public sealed partial class InstanceCatalogGrain(
    [PersistentState("catalog", CatalogStorage.Name)] IPersistentState<CatalogState> state,
    IOptionsMonitor<InstanceCatalogOptions> configuration,
    ILogger<InstanceCatalogGrain> logger) : Grain, IInstanceCatalogGrain
{
    private Dictionary<string, InstanceDefinition> Created => state.State.Instances;

    public Task<ImmutableArray<InstanceDefinition>> List()
    {
        var configured = configuration.CurrentValue.Instances.Select(instance => Configured(instance.Key, instance.Value));
        var all = configured.Concat(Created.Values.Where(created => !IsConfigured(created.Name)));
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

        var token = new TokenDefinition(Guid.NewGuid().ToString("N")[..16], secret, readOnly);
        var definition = Created[instance];
        Created[instance] = definition with { Tokens = definition.Tokens.Add(token) };
        await state.WriteStateAsync();
        LogTokenAdded(token.Id, instance, readOnly);
        await PushAsync(instance);
        return new TokenAddition(CatalogChange.Done, token);
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
        configuration.CurrentValue.Instances.TryGetValue(name, out var configured) ? Configured(name, configured)
        : Created.GetValueOrDefault(name);

    /// <summary>Whether a run-time instance may be changed: it exists and configuration does not declare it.</summary>
    private CatalogChange Check(string name) =>
        IsConfigured(name) ? CatalogChange.Configured
        : Created.ContainsKey(name) ? CatalogChange.Done
        : CatalogChange.NotFound;

    private bool IsConfigured(string name) => configuration.CurrentValue.Instances.ContainsKey(name);

    private Task PushAsync(string name) => GrainFactory.GetGrain<IInstanceGrain>(name).Redefine(Find(name));

    /// <summary>A declared instance, its tokens numbered by their position in configuration.</summary>
    private static InstanceDefinition Configured(string name, InstanceOptions options) => new(
        name,
        [.. options.Tokens.Select((token, index) => new TokenDefinition($"config-{index}", token.Secret, token.ReadOnly))],
        options.AllowAnonymous,
        Configured: true);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance} created")]
    private partial void LogCreated(string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance} deleted")]
    private partial void LogDeleted(string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "Token {TokenId} (read-only: {ReadOnly}) added to instance {Instance}")]
    private partial void LogTokenAdded(string tokenId, string instance, bool readOnly);

    [LoggerMessage(Level = LogLevel.Information, Message = "Token {TokenId} of instance {Instance} deleted")]
    private partial void LogTokenDeleted(string tokenId, string instance);
}
