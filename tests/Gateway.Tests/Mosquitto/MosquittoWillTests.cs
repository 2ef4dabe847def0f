using Broker.Gateway.Tests.Infrastructure;

namespace Broker.Gateway.Tests.Mosquitto;

/// <summary>A mosquitto_sub with a will: killed, its will is published; ended normally (DISCONNECT), it is not.</summary>
[Collection(BrokerCollection.Name)]
public sealed class MosquittoWillTests(BrokerFixture broker)
{
    private readonly MosquittoClients _mosquitto = new(broker);
    private readonly string _prefix = $"t{Guid.NewGuid():N}";

    [Fact]
    public async Task WillIsPublishedWhenTheClientProcessIsKilled()
    {
        await using var observer = await _mosquitto.SubscribeAsync("-t", $"{_prefix}/will", "-q", "1", "-v", "-C", "1");
        await using var dying = await _mosquitto.SubscribeAsync(
            "-t", $"{_prefix}/anything", "--will-topic", $"{_prefix}/will", "--will-payload", "gone", "--will-qos", "1");

        dying.Kill();

        var result = await observer.WaitForExitAsync();
        Assert.Equal([$"{_prefix}/will gone"], result.Messages);
        Assert.StartsWith("received PUBLISH (d0, q1, r0,", Assert.Single(result.ReceivedPublishes));
    }

    [Fact]
    public async Task WillIsNotPublishedWhenTheClientDisconnectsNormally()
    {
        await using var observer = await _mosquitto.SubscribeAsync("-t", $"{_prefix}/will", "-v", "-C", "1");
        await using var leaving = await _mosquitto.SubscribeAsync(
            "-t", $"{_prefix}/bye", "-C", "1", "--will-topic", $"{_prefix}/will", "--will-payload", "gone");

        await _mosquitto.PublishOkAsync("-t", $"{_prefix}/bye", "-m", "bye");
        var left = await leaving.WaitForExitAsync();
        Assert.Equal((0, "bye"), (left.ExitCode, Assert.Single(left.Messages)));
        Assert.Contains(left.Lines, line => line.EndsWith("sending DISCONNECT", StringComparison.Ordinal));

        // Had the will been published, the observer would print it before this marker.
        await _mosquitto.PublishOkAsync("-t", $"{_prefix}/will", "-m", "marker");

        Assert.Equal([$"{_prefix}/will marker"], (await observer.WaitForExitAsync()).Messages);
    }
}
