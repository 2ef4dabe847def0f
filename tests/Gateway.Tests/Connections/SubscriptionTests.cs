using System.Collections.Immutable;
using Broker.Grains;
using Broker.Protocol;

namespace Broker.Gateway.Tests.Connections;

/// <summary>SUBSCRIBE and UNSUBSCRIBE as the connection engine answers them: rules, the subscription limit, retained messages.</summary>
public sealed class SubscriptionTests
{
    [Fact]
    public async Task SubscribeIsGrantedPerFilterWithRefusedFiltersAndFiltersBeyondTheLimitAt0x80()
    {
        await using var harness = new ConnectionHarness(options => options.Limits.MaxSubscriptions = 2);
        var session = await harness.ConnectAsync();

        await harness.SendAsync(new SubscribePacket(5, [
            new TopicSubscription("/a/*", QualityOfService.AtLeastOnce),
            new TopicSubscription("bad topic", QualityOfService.AtMostOnce),
            new TopicSubscription("b", QualityOfService.ExactlyOnce),
            new TopicSubscription("c", QualityOfService.AtMostOnce)]));

        Assert.Equal(
            new SubAckPacket(5, [SubscribeReturnCode.GrantedQos1, SubscribeReturnCode.Failure, SubscribeReturnCode.GrantedQos2, SubscribeReturnCode.Failure]),
            await harness.ReceiveAsync());
        Assert.Equal(
            [new SubscriptionRequest("a/+", 1, RootSlash: true), new SubscriptionRequest("b", 2, RootSlash: false)],
            (await session.Subscribed.Reader.ReadAsync()).ToArray());
        Assert.Equal((ErrorCodes.InvalidTopic, "bad topic"), await session.Reports.Reader.ReadAsync());
        Assert.Equal((ErrorCodes.TooManySubscriptions, "c"), await session.Reports.Reader.ReadAsync());
    }

    [Fact]
    public async Task RetainedMessagesFollowTheSubAckWithTheRetainFlag()
    {
        await using var harness = new ConnectionHarness();
        var session = await harness.ConnectAsync();
        session.Retained.Add(new RetainedDelivery(new PublishedMessage("a", "kept"u8.ToArray(), 1, Retain: true), 0, RootSlash: false));

        await harness.SendAsync(new SubscribePacket(1, [new TopicSubscription("#", QualityOfService.AtLeastOnce)]));

        Assert.IsType<SubAckPacket>(await harness.ReceiveAsync());
        var retained = await harness.ReceiveAsync<PublishPacket>();
        Assert.Equal(("a", QualityOfService.AtMostOnce, true), (retained.Topic, retained.Qos, retained.Retain));
    }

    [Fact]
    public async Task UnsubscribeRemovesTheNormalisedFiltersAndFreesTheirPlaces()
    {
        await using var harness = new ConnectionHarness(options => options.Limits.MaxSubscriptions = 1);
        var session = await harness.ConnectAsync();
        await harness.SendAsync(new SubscribePacket(1, [new TopicSubscription("a/*", QualityOfService.AtMostOnce)]));
        await harness.ReceiveAsync<SubAckPacket>();

        await harness.SendAsync(new UnsubscribePacket(2, ["a/*"]));
        Assert.Equal(new UnsubAckPacket(2), await harness.ReceiveAsync());
        await harness.SendAsync(new SubscribePacket(3, [new TopicSubscription("b", QualityOfService.AtMostOnce)]));

        Assert.Equal(new SubAckPacket(3, [SubscribeReturnCode.GrantedQos0]), await harness.ReceiveAsync());
        Assert.Equal(["a/+"], (await session.Unsubscribed.Reader.ReadAsync()).ToArray());
    }
}
