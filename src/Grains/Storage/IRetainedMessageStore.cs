namespace Broker.Grains.Storage;

/// <summary>
/// Where an instance's retained messages outlive its grain: read when the grain activates, and changed by each
/// publish batch in one write before the batch counts as accepted.
/// </summary>
public interface IRetainedMessageStore
{
    /// <summary>Every retained message of <paramref name="instance"/>, one per topic.</summary>
    Task<IReadOnlyList<PublishedMessage>> LoadAsync(string instance);

    /// <summary>
    /// Applies retained messages in order, all or none: each replaces its topic's, and one with an empty payload
    /// clears it.
    /// </summary>
    Task SaveAsync(string instance, IReadOnlyList<PublishedMessage> changes);

    /// <summary>Forgets every retained message of <paramref name="instance"/>, which was deleted.</summary>
    Task DeleteAsync(string instance);
}
