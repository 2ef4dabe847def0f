namespace Broker.Grains.Catalog;

/// <summary>The grain storage provider that keeps the instance catalog, and the name of the catalog's state in it.</summary>
public static class CatalogStorage
{
    public const string Name = "Catalog";

    public const string StateName = "catalog";
}
