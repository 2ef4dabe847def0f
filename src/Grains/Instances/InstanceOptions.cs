namespace Broker.Grains.Instances;

public sealed class InstanceOptions
{
    public List<TokenOptions> Tokens { get; init; } = [];

    /// <summary>Whether a CONNECT without a password is let in (development mode's <c>local</c> instance).</summary>
    public bool AllowAnonymous { get; set; }
}
