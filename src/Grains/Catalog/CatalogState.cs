namespace Broker.Grains.Catalog;

/// <summary>What the catalog keeps in grain state: the instances created at run time, by name.</summary>
[GenerateSerializer]
public sealed class CatalogState
{
    [Id(0)]
    public Dictionary<string, InstanceDefinition> Instances { get; set; } = new(StringComparer.Ordinal);
}
