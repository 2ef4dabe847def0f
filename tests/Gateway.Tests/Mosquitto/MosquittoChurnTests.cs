using Broker.Gateway.Tests.Infrastructure;

namespace Broker.Gateway.Tests.Mosquitto;

/// <summary>Many short-lived clients at once, as command-line tools and scripts produce them.</summary>
[Collection(BrokerCollection.Name)]
public sealed class MosquittoChurnTests(BrokerFixture broker)
{
    private readonly MosquittoClients _mosquitto = new(broker);

    [Fact]
    public async Task EveryAcknowledgedMessageReachesItsSubscriberWhileManyClientsComeAndGo()
    {
        const int Workers = 6;
        const int Rounds = 40;
        var lost = new System.Collections.Concurrent.ConcurrentBag<string>();

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                var topic = $"t{Guid.NewGuid():N}/kitchen/temp";
                await using var subscriber = await _mosquitto.SubscribeAsync("-t", topic, "-q", "1", "-v", "-C", "1", "-W", "5");
                await _mosquitto.PublishOkAsync("-t", topic, "-q", "1", "-m", "21");
                var result = await subscriber.WaitForExitAsync();
                if (result.ExitCode != 0 || result.Messages.Count != 1)
                {
                    lost.Add($"{topic} (mosquitto_sub exit code {result.ExitCode})");
                }
            }
        })));

        Assert.Empty(lost);
    }
}
