namespace Broker.Grains.Configuration;

/// <summary>The instances development mode seeds; both roles name them, the silo to create them and the gateway to route anonymous clients.</summary>
public static class DevelopmentInstances
{
    /// <summary>An instance with the well-known token <c>public</c>.</summary>
    public const string Public = "public";

    /// <summary>The instance of clients that give no credentials.</summary>
    public const string Local = "local";
}
