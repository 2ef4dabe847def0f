namespace Broker.Grains.Instances;

public sealed class TokenOptions
{
    public string Secret { get; set; } = "";

    /// <summary>A read-only token may subscribe; its publishes are not delivered.</summary>
    public bool ReadOnly { get; set; }
}
