using Broker.Grains.Configuration;

namespace Broker.Grains.Instances;

/// <summary>
/// The instances declared in configuration (section <c>Broker</c>), e.g.
/// <c>Broker:Instances:demo:Tokens:0:Secret</c> with an optional <c>ReadOnly</c>.
/// </summary>
public sealed class InstanceCatalogOptions
{
    public Dictionary<string, InstanceOptions> Instances { get; } = new(StringComparer.Ordinal);

    /// <summary>What development mode adds: <c>public</c> (token <c>public</c>) and <c>local</c> for clients without credentials.</summary>
    public void SeedDevelopmentInstances()
    {
        if (!Instances.ContainsKey(DevelopmentInstances.Public))
        {
            Instances[DevelopmentInstances.Public] = new InstanceOptions { Tokens = { new TokenOptions { Secret = DevelopmentInstances.Public } } };
        }

        if (!Instances.TryGetValue(DevelopmentInstances.Local, out var local))
        {
            Instances[DevelopmentInstances.Local] = local = new InstanceOptions();
        }

        local.AllowAnonymous = true;
    }
}
