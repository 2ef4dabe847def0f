using Broker.Gateway.Tests.Infrastructure;

namespace Broker.Gateway.Tests.Mosquitto;

[Collection(BrokerCollection.Name)]
public sealed class MosquittoRetainedMessageTests(BrokerFixture broker)
{
    private readonly MosquittoClients _mosquitto = new(broker);
    private readonly string _topic = $"t{Guid.NewGuid():N}/retained";

    [Fact]
    public async Task RetainedMessageReachesALaterSubscriberWithTheRetainFlag()
    {
        await _mosquitto.PublishOkAsync("-t", _topic, "-q", "1", "-r", "-m", "kept");

        await using var subscriber = _mosquitto.StartSubscriber("-t", _topic, "-q", "1", "-F", "%r %t %p", "-C", "1");

        var result = await subscriber.WaitForExitAsync();
        Assert.Equal(0, result.ExitCode);
        Assert.Equal([$"1 {_topic} kept"], result.Messages);
    }

    [Fact]
    public async Task RetainedPublishReachesACurrentSubscriberWithoutTheRetainFlag()
    {
        await using var subscriber = await _mosquitto.SubscribeAsync("-t", _topic, "-F", "%r %t %p", "-C", "1");

        await _mosquitto.PublishOkAsync("-t", _topic, "-r", "-m", "live");

        Assert.Equal([$"0 {_topic} live"], (await subscriber.WaitForExitAsync()).Messages);
    }

    [Fact]
    public async Task RetainedMessageIsReplacedBySecondRetainedPublish()
    {
        await _mosquitto.PublishOkAsync("-t", _topic, "-r", "-m", "first");
        await _mosquitto.PublishOkAsync("-t", _topic, "-r", "-m", "second");

        await using var subscriber = _mosquitto.StartSubscriber("-t", _topic, "-F", "%r %p", "-C", "1");

        Assert.Equal(["1 second"], (await subscriber.WaitForExitAsync()).Messages);
    }

    [Fact]
    public async Task EmptyRetainedPublishClearsTheRetainedMessage()
    {
        await _mosquitto.PublishOkAsync("-t", _topic, "-r", "-m", "kept");
        await _mosquitto.PublishOkAsync("-t", _topic, "-r", "-n");

        // A retained message would arrive with the SUBACK, before the live marker published after it.
        await using var subscriber = await _mosquitto.SubscribeAsync("-t", _topic, "-F", "%r %p", "-C", "1");
        await _mosquitto.PublishOkAsync("-t", _topic, "-m", "marker");

        Assert.Equal(["0 marker"], (await subscriber.WaitForExitAsync()).Messages);
    }
}
