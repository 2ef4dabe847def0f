namespace Broker.Streaming.Tests;

/// <summary>A stateless worker that tries to subscribe to a push stream.</summary>
public interface IStatelessConsumerGrain : IGrainWithIntegerKey
{
    Task Subscribe(string streamKey);
}
