namespace Broker.Grains.Storage;

/// <summary>
/// Which gateways hold connections in an instance, kept outside the grain: a new activation reads it to know whose
/// subscriptions it must wait for after its predecessor was lost, even when none of those gateways calls it first.
/// </summary>
public interface IGatewayRoster
{
    Task<IReadOnlyList<string>> LoadAsync(string instance);

    /// <summary>Adds and removes gateways of <paramref name="instance"/>, all or none.</summary>
    Task SaveAsync(string instance, IReadOnlyCollection<string> added, IReadOnlyCollection<string> removed);
}
