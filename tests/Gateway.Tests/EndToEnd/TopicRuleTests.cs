using System.Text;
using Broker.Gateway.Tests.Infrastructure;
using Broker.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>
/// The instance's topic rules: <c>*</c> in a filter stands for <c>+</c>, and <c>/hello</c> is the same topic as
/// <c>hello</c>, delivered with the leading <c>/</c> exactly when the matching subscription had one. Subscribers
/// are raw clients, so the test sees the exact topic on the wire. "Nothing else arrived" is proved with a sentinel
/// published after the probe (one consistent order per instance). In the data, <c>P</c> stands for a topic level
/// unique to the test.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class TopicRuleTests(BrokerFixture broker)
{
    [Theory]
    [InlineData("P/*/c", "P/b/c", true)]
    [InlineData("P/*/c", "P/b/x/c", false)]
    [InlineData("P/*", "P/b", true)]
    [InlineData("P/*", "P/b/c", false)]
    [InlineData("*/P/c", "b/P/c", true)]
    public async Task AsteriskInASubscribeFilterMatchesExactlyOneLevelLikePlus(string filter, string topic, bool matches)
    {
        var unique = TestNames.Topic();
        filter = filter.Replace("P", unique);
        topic = topic.Replace("P", unique);
        var sentinel = $"{unique}/sentinel";
        await using var subscriber = await RawMqttClient.ConnectSubscribedAsync(broker, filter, sentinel);
        await using var publisher = await broker.ConnectAsync();

        await publisher.PublishAsync(topic, "probe");
        await publisher.PublishAsync(sentinel, "sentinel");

        var before = await subscriber.ReceiveUntilAsync(sentinel);
        Assert.Equal(matches ? [topic] : [], before.Select(publish => publish.Topic));
    }

    [Theory]
    [InlineData("P/*/c", "P/*/c")]
    [InlineData("P/+/c", "P/*/c")]
    [InlineData("P/*/c", "P/+/c")]
    public async Task AsteriskInAnUnsubscribeFilterRemovesTheSubscriptionLikePlus(string subscribed, string unsubscribed)
    {
        var unique = TestNames.Topic();
        subscribed = subscribed.Replace("P", unique);
        unsubscribed = unsubscribed.Replace("P", unique);
        var topic = $"{unique}/b/c";
        var sentinel = $"{unique}/sentinel";
        await using var subscriber = await RawMqttClient.ConnectSubscribedAsync(broker, subscribed, sentinel);
        await using var publisher = await broker.ConnectAsync();
        await publisher.PublishAsync(topic, "before");
        Assert.Equal(topic, (await subscriber.ReceiveAsync<PublishPacket>()).Topic);

        await subscriber.SendAsync(new UnsubscribePacket(2, [unsubscribed]));
        Assert.Equal(new UnsubAckPacket(2), await subscriber.ReceiveAsync<UnsubAckPacket>());
        await publisher.PublishAsync(topic, "after");
        await publisher.PublishAsync(sentinel, "sentinel");

        Assert.Empty(await subscriber.ReceiveUntilAsync(sentinel));
    }

    [Theory]
    [InlineData("P/y", "/P/y", "P/y")]
    [InlineData("/P/y", "P/y", "/P/y")]
    [InlineData("/P/y", "/P/y", "/P/y")]
    [InlineData("P/#", "/P/y", "P/y")]
    [InlineData("/P/#", "P/y", "/P/y")]
    [InlineData("/P/+", "P/y", "/P/y")]
    [InlineData("/P/*", "P/y", "/P/y")]
    [InlineData("/P/#", "/P/y", "/P/y")]
    public async Task SubscriberReceivesTheTopicWithALeadingSlashExactlyWhenItsFilterHadOne(string filter, string published, string received)
    {
        var unique = TestNames.Topic();
        filter = filter.Replace("P", unique);
        published = published.Replace("P", unique);
        received = received.Replace("P", unique);
        await using var subscriber = await RawMqttClient.ConnectSubscribedAsync(broker, filter);
        await using var publisher = await broker.ConnectAsync();

        await publisher.PublishAsync(published, "probe");

        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal(received, delivered.Topic);
        Assert.Equal("probe", Encoding.UTF8.GetString(delivered.Payload.Span));
    }

    [Fact]
    public async Task OnePublishReachesSubscribersWithAndWithoutLeadingSlashEachWithItsOwnForm()
    {
        var unique = TestNames.Topic();
        await using var withSlash = await RawMqttClient.ConnectSubscribedAsync(broker, $"/{unique}/y");
        await using var withoutSlash = await RawMqttClient.ConnectSubscribedAsync(broker, $"{unique}/y");
        await using var publisher = await broker.ConnectAsync();

        await publisher.PublishAsync($"/{unique}/y", "once");

        Assert.Equal($"/{unique}/y", (await withSlash.ReceiveAsync<PublishPacket>()).Topic);
        Assert.Equal($"{unique}/y", (await withoutSlash.ReceiveAsync<PublishPacket>()).Topic);
    }

    [Fact]
    public async Task ClientWithOneFilterWithLeadingSlashAndOneWithoutGetsEachMessageInTheFormOfTheFilterThatMatched()
    {
        var unique = TestNames.Topic();
        await using var subscriber = await RawMqttClient.ConnectSubscribedAsync(broker, $"/{unique}/a", $"{unique}/b", $"{unique}/sentinel");
        await using var publisher = await broker.ConnectAsync();

        await publisher.PublishAsync($"{unique}/a", "a");
        await publisher.PublishAsync($"/{unique}/b", "b");
        await publisher.PublishAsync($"{unique}/sentinel", "sentinel");

        var before = await subscriber.ReceiveUntilAsync($"{unique}/sentinel");
        Assert.Equal([$"/{unique}/a", $"{unique}/b"], before.Select(publish => publish.Topic));
    }

    [Theory]
    [InlineData("/P/t", "P/t", "P/t")]
    [InlineData("/P/t", "/P/t", "/P/t")]
    [InlineData("P/t", "/P/t", "/P/t")]
    [InlineData("/P/t", "P/+", "P/t")]
    [InlineData("P/t", "/P/#", "/P/t")]
    public async Task RetainedMessageIsDeliveredWithTheLeadingSlashOfTheLaterSubscription(string published, string filter, string received)
    {
        var unique = TestNames.Topic();
        published = published.Replace("P", unique);
        filter = filter.Replace("P", unique);
        received = received.Replace("P", unique);
        await using var publisher = await broker.ConnectAsync();
        await publisher.PublishAsync(published, "kept", retain: true);

        await using var subscriber = await RawMqttClient.ConnectSubscribedAsync(broker, filter);

        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal(received, delivered.Topic);
        Assert.True(delivered.Retain);
        Assert.Equal("kept", Encoding.UTF8.GetString(delivered.Payload.Span));
    }

    // The subscriber's filter has the form of the first topic, so without the rule it would get the first message.
    [Theory]
    [InlineData("P/t", "/P/t", "P/+", "P/t")]
    [InlineData("/P/t", "P/t", "/P/+", "/P/t")]
    public async Task RetainedPublishReplacesTheRetainedMessageOfTheSameTopicWithOrWithoutLeadingSlash(string first, string second, string filter, string received)
    {
        var unique = TestNames.Topic();
        first = first.Replace("P", unique);
        second = second.Replace("P", unique);
        filter = filter.Replace("P", unique);
        received = received.Replace("P", unique);
        await using var publisher = await broker.ConnectAsync();
        await publisher.PublishAsync(first, "first", retain: true);
        await publisher.PublishAsync(second, "second", retain: true);

        var sentinel = $"{unique}-sentinel";
        await using var subscriber = await RawMqttClient.ConnectSubscribedAsync(broker, filter, sentinel);
        await publisher.PublishAsync(sentinel, "sentinel");

        var retained = Assert.Single(await subscriber.ReceiveUntilAsync(sentinel));
        Assert.Equal(received, retained.Topic);
        Assert.True(retained.Retain);
        Assert.Equal("second", Encoding.UTF8.GetString(retained.Payload.Span));
    }
}
