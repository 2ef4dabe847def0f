namespace Broker.Grains.Catalog;

/// <summary>The grain storage provider that keeps the instance catalog.</summary>
public static class CatalogStorage
{
    public const string Name = "Catalog";
}
