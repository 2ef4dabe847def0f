using Broker.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

[Collection(BrokerCollection.Name)]
public sealed class RetainedMessageTests(BrokerFixture broker)
{
    private const MqttQualityOfServiceLevel AtLeastOnce = MqttQualityOfServiceLevel.AtLeastOnce;

    [Fact]
    public async Task RetainedMessageIsDeliveredWithRetainFlagOnSubscribe()
    {
        var topic = $"{TestNames.Topic()}/state";
        await using var publisher = await broker.ConnectAsync();
        await publisher.PublishAsync(topic, "on", AtLeastOnce, retain: true);

        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);

        Assert.Equal(new ReceivedMessage(topic, "on", AtLeastOnce, Retain: true), await subscriber.ReceiveAsync());
    }

    [Fact]
    public async Task RetainedMessageIsDeliveredAtTheLowerOfItsQosAndTheSubscription()
    {
        var topic = $"{TestNames.Topic()}/state";
        await using var publisher = await broker.ConnectAsync();
        await publisher.PublishAsync(topic, "on", MqttQualityOfServiceLevel.ExactlyOnce, retain: true);

        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync(topic, AtLeastOnce);

        Assert.Equal(new ReceivedMessage(topic, "on", AtLeastOnce, Retain: true), await subscriber.ReceiveAsync());
    }

    [Fact]
    public async Task RetainedMessageIsReplacedBySecondRetainedPublish()
    {
        var prefix = TestNames.Topic();
        await using var publisher = await broker.ConnectAsync();
        await publisher.PublishAsync($"{prefix}/state", "first", AtLeastOnce, retain: true);
        await publisher.PublishAsync($"{prefix}/state", "second", AtLeastOnce, retain: true);

        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{prefix}/+");
        await publisher.PublishAsync($"{prefix}/sentinel", "sentinel");

        Assert.Equal([new ReceivedMessage($"{prefix}/state", "second", AtLeastOnce, Retain: true)], await subscriber.ReceiveUntilAsync($"{prefix}/sentinel"));
    }

    [Fact]
    public async Task RetainedMessageIsClearedByEmptyRetainedPublish()
    {
        var prefix = TestNames.Topic();
        await using var publisher = await broker.ConnectAsync();
        await publisher.PublishAsync($"{prefix}/state", "on", AtLeastOnce, retain: true);
        await publisher.PublishAsync($"{prefix}/state", "", AtLeastOnce, retain: true);

        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{prefix}/+");
        await publisher.PublishAsync($"{prefix}/sentinel", "sentinel");

        Assert.Empty(await subscriber.ReceiveUntilAsync($"{prefix}/sentinel"));
    }

    [Fact]
    public async Task WildcardSubscriptionReceivesEveryMatchingRetainedMessage()
    {
        var prefix = TestNames.Topic();
        await using var publisher = await broker.ConnectAsync();
        await publisher.PublishAsync($"{prefix}", "root", AtLeastOnce, retain: true);
        await publisher.PublishAsync($"{prefix}/a", "a", AtLeastOnce, retain: true);
        await publisher.PublishAsync($"{prefix}/b/c", "b/c", AtLeastOnce, retain: true);
        await publisher.PublishAsync($"{prefix}/b/d/e", "b/d/e", AtLeastOnce, retain: true);
        await publisher.PublishAsync($"{prefix}x/a", "other prefix", AtLeastOnce, retain: true);
        await publisher.PublishAsync($"{prefix}/live", "not retained", AtLeastOnce, retain: false);

        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"{prefix}/#");
        await publisher.PublishAsync($"{prefix}/sentinel", "sentinel");

        var retained = await subscriber.ReceiveUntilAsync($"{prefix}/sentinel");
        Assert.Equal(
            new[]
            {
                new ReceivedMessage($"{prefix}", "root", AtLeastOnce, Retain: true),
                new ReceivedMessage($"{prefix}/a", "a", AtLeastOnce, Retain: true),
                new ReceivedMessage($"{prefix}/b/c", "b/c", AtLeastOnce, Retain: true),
                new ReceivedMessage($"{prefix}/b/d/e", "b/d/e", AtLeastOnce, Retain: true),
            },
            retained.OrderBy(message => message.Topic, StringComparer.Ordinal));
    }

    [Fact]
    public async Task RetainedMessageIsDeliveredAgainOnRepeatedSubscribe()
    {
        var topic = $"{TestNames.Topic()}/state";
        await using var publisher = await broker.ConnectAsync();
        await publisher.PublishAsync(topic, "on", AtLeastOnce, retain: true);
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync(topic);
        Assert.Equal(new ReceivedMessage(topic, "on", AtLeastOnce, Retain: true), await subscriber.ReceiveAsync());

        await subscriber.SubscribeAsync(topic);

        Assert.Equal(new ReceivedMessage(topic, "on", AtLeastOnce, Retain: true), await subscriber.ReceiveAsync());
    }

    [Fact]
    public async Task LiveDeliveryOfRetainedPublishToExistingSubscriberHasRetainFlagCleared()
    {
        var topic = $"{TestNames.Topic()}/state";
        await using var subscriber = await broker.ConnectAsync();
        await subscriber.SubscribeAsync(topic);
        await using var publisher = await broker.ConnectAsync();

        await publisher.PublishAsync(topic, "on", AtLeastOnce, retain: true);

        Assert.Equal(new ReceivedMessage(topic, "on", AtLeastOnce, Retain: false), await subscriber.ReceiveAsync());
    }

    [Fact]
    public async Task RetainedMessageJustPublishedBySubscriberIsFoundByItsNextSubscribe()
    {
        var topic = $"{TestNames.Topic()}/state";
        await using var client = await broker.ConnectAsync();

        // QoS 0: nothing to wait for between the PUBLISH and the SUBSCRIBE.
        await client.PublishAsync(topic, "mine", MqttQualityOfServiceLevel.AtMostOnce, retain: true);
        await client.SubscribeAsync(topic, AtLeastOnce);

        Assert.Equal(new ReceivedMessage(topic, "mine", MqttQualityOfServiceLevel.AtMostOnce, Retain: true), await client.ReceiveAsync());
    }
}
