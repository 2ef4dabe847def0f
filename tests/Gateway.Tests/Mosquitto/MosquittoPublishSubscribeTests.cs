using Broker.Gateway.Tests.Infrastructure;

namespace Broker.Gateway.Tests.Mosquitto;

/// <summary>The broker as the mosquitto command-line clients see it.</summary>
[Collection(BrokerCollection.Name)]
public sealed class MosquittoPublishSubscribeTests(BrokerFixture broker)
{
    private readonly MosquittoClients _mosquitto = new(broker);
    private readonly string _prefix = $"t{Guid.NewGuid():N}";

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task MessagePublishedAtQosReachesASubscriberAtThatQos(int qos)
    {
        var topic = $"{_prefix}/qos";
        await using var subscriber = await _mosquitto.SubscribeAsync("-t", topic, "-q", qos.ToString(), "-v", "-C", "1");

        await _mosquitto.PublishOkAsync("-t", topic, "-q", qos.ToString(), "-m", $"hello at {qos}");

        var result = await subscriber.WaitForExitAsync();
        Assert.Equal(0, result.ExitCode);
        Assert.Equal([$"{topic} hello at {qos}"], result.Messages);
        Assert.Equal([$"received PUBLISH (d0, q{qos}, r0, m{(qos == 0 ? 0 : 1)}, '{topic}', ... ({$"hello at {qos}".Length} bytes))"], result.ReceivedPublishes);
    }

    [Fact]
    public async Task SubscriberReceivesAtTheLowerOfSubscribedAndPublishedQos()
    {
        var topic = $"{_prefix}/downgrade";
        await using var subscriber = await _mosquitto.SubscribeAsync("-t", topic, "-q", "1", "-v", "-C", "1");

        await _mosquitto.PublishOkAsync("-t", topic, "-q", "2", "-m", "two");

        var result = await subscriber.WaitForExitAsync();
        Assert.Equal([$"{topic} two"], result.Messages);
        Assert.StartsWith("received PUBLISH (d0, q1, r0,", Assert.Single(result.ReceivedPublishes));
    }

    [Fact]
    public async Task MessagesOfOnePublisherArriveInPublishOrder()
    {
        var topic = $"{_prefix}/order";
        await using var subscriber = await _mosquitto.SubscribeAsync("-t", topic, "-q", "1", "-C", "3");

        foreach (var payload in new[] { "one", "two", "three" })
        {
            await _mosquitto.PublishOkAsync("-t", topic, "-q", "1", "-m", payload);
        }

        Assert.Equal(["one", "two", "three"], (await subscriber.WaitForExitAsync()).Messages);
    }

    [Fact]
    public async Task SingleLevelWildcardMatchesOneLevelOnly()
    {
        await using var subscriber = await _mosquitto.SubscribeAsync("-t", $"{_prefix}/+/temp", "-v", "-C", "1");

        await _mosquitto.PublishOkAsync("-t", $"{_prefix}/kitchen/humidity", "-m", "40");
        await _mosquitto.PublishOkAsync("-t", $"{_prefix}/kitchen/oven/temp", "-m", "200");
        await _mosquitto.PublishOkAsync("-t", $"{_prefix}/kitchen/temp", "-m", "21");

        Assert.Equal([$"{_prefix}/kitchen/temp 21"], (await subscriber.WaitForExitAsync()).Messages);
    }

    [Fact]
    public async Task MultiLevelWildcardMatchesTheParentAndEveryLevelBelow()
    {
        await using var subscriber = await _mosquitto.SubscribeAsync("-t", $"{_prefix}/home/#", "-v", "-C", "3");

        await _mosquitto.PublishOkAsync("-t", $"{_prefix}/home", "-m", "parent");
        await _mosquitto.PublishOkAsync("-t", $"{_prefix}/homes/x", "-m", "sibling");
        await _mosquitto.PublishOkAsync("-t", $"{_prefix}/home/a", "-m", "child");
        await _mosquitto.PublishOkAsync("-t", $"{_prefix}/home/a/b/c", "-m", "grandchild");

        Assert.Equal(
            [$"{_prefix}/home parent", $"{_prefix}/home/a child", $"{_prefix}/home/a/b/c grandchild"],
            (await subscriber.WaitForExitAsync()).Messages);
    }

    [Fact]
    public async Task ClientsOfMqtt31AreServedToo()
    {
        var mqtt31 = _mosquitto.WithVersion("mqttv31");
        var topic = $"{_prefix}/v31";
        await using var subscriber = await mqtt31.SubscribeAsync("-i", "v31-sub", "-t", topic, "-q", "1", "-v", "-C", "1");

        await mqtt31.PublishOkAsync("-i", "v31-pub", "-t", topic, "-q", "1", "-m", "old protocol");

        var result = await subscriber.WaitForExitAsync();
        Assert.Equal(0, result.ExitCode);
        Assert.Equal([$"{topic} old protocol"], result.Messages);
    }

    [Fact]
    public async Task PublishWithAWrongSecretIsRefusedAsNotAuthorised()
    {
        var result = await _mosquitto.WithCredentials(BrokerFixture.Instance, "wrong").PublishAsync("-t", $"{_prefix}/x", "-m", "x");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("not authorised", result.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SubscribeWithAnUnknownInstanceIsRefusedAsNotAuthorised()
    {
        await using var subscriber = _mosquitto.WithCredentials("no-such-instance", "secret").StartSubscriber("-t", $"{_prefix}/x");

        var result = await subscriber.WaitForExitAsync();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("not authorised", result.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(result.Lines, line => line.EndsWith("received CONNACK (5)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MessagesDoNotCrossInstances()
    {
        var topic = $"{_prefix}/isolated";
        await using var beta = await _mosquitto.WithCredentials(BrokerFixture.OtherInstance, BrokerFixture.OtherSecret)
            .SubscribeAsync("-t", topic, "-v", "-C", "1");

        await _mosquitto.PublishOkAsync("-t", topic, "-m", "alpha only");
        await _mosquitto.WithCredentials(BrokerFixture.OtherInstance, BrokerFixture.OtherSecret).PublishOkAsync("-t", topic, "-m", "beta");

        Assert.Equal([$"{topic} beta"], (await beta.WaitForExitAsync()).Messages);
    }
}
