using Broker.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;

namespace Broker.Gateway.Tests.EndToEnd;

/// <summary>
/// Filter matching on the wire. Every case publishes the probe, then a sentinel that the filter surely matches,
/// from the same client: order is guaranteed, so "only the sentinel arrived" proves the probe was not delivered.
/// In the data, <c>P</c> stands for a topic level unique to the test.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class WildcardTests(BrokerFixture broker)
{
    [Theory]
    [InlineData("P/+", "P/a", true, "P/sentinel")]
    [InlineData("P/+", "P/a/b", false, "P/sentinel")]
    [InlineData("P/+", "P", false, "P/sentinel")]
    [InlineData("P/+/c", "P/b/c", true, "P/sentinel/c")]
    [InlineData("P/+/c", "P/b/d", false, "P/sentinel/c")]
    [InlineData("P/+/c", "P/b/c/d", false, "P/sentinel/c")]
    [InlineData("P/+", "P/", true, "P/sentinel")]
    [InlineData("P/#", "P/a/b/c", true, "P/sentinel")]
    [InlineData("P/#", "P", true, "P/sentinel")]
    [InlineData("P/#", "Pother/a", false, "P/sentinel")]
    [InlineData("P/a/#", "P/b", false, "P/a/sentinel")]
    [InlineData("+/P/#", "x/P", true, "sentinel/P/x")]
    [InlineData("+/P", "$x/P", false, "sentinel/P")]
    [InlineData("$P/#", "$P/a", true, "$P/sentinel")]
    [InlineData("$P/+", "$P/a", true, "$P/sentinel")]
    [InlineData("P/a", "P/A", false, "P/a")]
    public async Task FilterMatchesExactlyTheTopicsTheSpecificationSays(string filter, string topic, bool matches, string sentinel)
    {
        var unique = TestNames.Topic();
        filter = filter.Replace("P", unique);
        topic = topic.Replace("P", unique);
        sentinel = sentinel.Replace("P", unique);
        await using var subscriber = await broker.ConnectAsync();
        await using var publisher = await broker.ConnectAsync();
        await subscriber.SubscribeAsync(filter);

        await publisher.PublishAsync(topic, "probe");
        await publisher.PublishAsync(sentinel, "sentinel");

        var before = await subscriber.ReceiveUntilAsync(sentinel);
        Assert.Equal(matches ? [new ReceivedMessage(topic, "probe", MqttQualityOfServiceLevel.AtLeastOnce, Retain: false)] : [], before);
    }

    [Fact]
    public async Task MultiLevelWildcardAloneDoesNotMatchDollarTopics()
    {
        var unique = TestNames.Topic();
        await using var subscriber = await broker.ConnectAsync();
        await using var publisher = await broker.ConnectAsync();
        await subscriber.SubscribeAsync("#");

        await publisher.PublishAsync($"${unique}/a", "hidden");
        await publisher.PublishAsync($"{unique}/a", "visible");
        await publisher.PublishAsync($"{unique}/sentinel", "sentinel");

        // '#' also brings other tests' retained messages; only this test's topics are looked at.
        var before = await subscriber.ReceiveUntilAsync($"{unique}/sentinel");
        Assert.Equal(
            [new ReceivedMessage($"{unique}/a", "visible", MqttQualityOfServiceLevel.AtLeastOnce, Retain: false)],
            before.Where(message => message.Topic.Contains(unique, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SingleLevelWildcardInTheFirstLevelDoesNotMatchDollarTopics()
    {
        var unique = TestNames.Topic();
        await using var subscriber = await broker.ConnectAsync();
        await using var publisher = await broker.ConnectAsync();
        await subscriber.SubscribeAsync($"+/{unique}/#");

        await publisher.PublishAsync($"$sys/{unique}/a", "hidden");
        await publisher.PublishAsync($"sys/{unique}/a", "visible");
        await publisher.PublishAsync($"sentinel/{unique}", "sentinel");

        var before = await subscriber.ReceiveUntilAsync($"sentinel/{unique}");
        Assert.Equal([new ReceivedMessage($"sys/{unique}/a", "visible", MqttQualityOfServiceLevel.AtLeastOnce, Retain: false)], before);
    }
}
