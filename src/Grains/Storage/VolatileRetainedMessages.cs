namespace Broker.Grains.Storage;

/// <summary>
/// No store: retained messages live in the instance grain's memory only and end with its activation. Cluster mode
/// uses it until it has a database.
/// </summary>
internal sealed class VolatileRetainedMessages : IRetainedMessageStore
{
    public Task<IReadOnlyList<PublishedMessage>> LoadAsync(string instance) => Task.FromResult<IReadOnlyList<PublishedMessage>>([]);

    public Task SaveAsync(string instance, IReadOnlyList<PublishedMessage> changes) => Task.CompletedTask;

    public Task DeleteAsync(string instance) => Task.CompletedTask;
}
