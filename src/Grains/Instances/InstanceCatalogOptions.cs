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
        if (!Instances.ContainsKey(PublicInstance))
        {
            Instances[PublicInstance] = new InstanceOptions { Tokens = { new TokenOptions { Secret = PublicInstance } } };
        }

        if (!Instances.TryGetValue(LocalInstance, out var local))
        {
            Instances[LocalInstance] = local = new InstanceOptions();
        }

        local.AllowAnonymous = true;
    }

    public const string PublicInstance = "public";
    public const string LocalInstance = "local";
}
