namespace Broker.Grains.Instances;

/// <summary>Memory an instance spends on what it keeps besides subscriptions (section <c>Broker:Limits</c>).</summary>
public sealed class InstanceStoreOptions
{
    /// <summary>The budget for the last message of each topic (read over HTTP); the oldest topics are forgotten first.</summary>
    public long LastMessageBytes { get; set; } = 1024 * 1024;
}
