using System.Collections.Immutable;
using System.Text;

namespace Broker.Grains.Tests.Infrastructure;

/// <summary>Small builders for the messages tests send to instance grains.</summary>
public static class TestMessages
{
    public static PublishedMessage Message(string topic, string payload, byte qos = 0, bool retain = false) =>
        new(topic, Encoding.UTF8.GetBytes(payload), qos, retain);

    /// <summary>The gateway's next batch, numbered after its earlier ones, under no lease (the instance does not check it).</summary>
    public static PublishBatch Batch(GatewayProbe gateway, params PublishedMessage[] messages) =>
        new(gateway.GatewayId, [.. messages], gateway.NextBatchSequence(), LeaseId: Guid.Empty);

    public static ImmutableArray<SubscriptionRequest> Filters(params (string Filter, byte Qos)[] filters) =>
        [.. filters.Select(f => new SubscriptionRequest(f.Filter, f.Qos))];

    public static string Text(PublishedMessage message) => Encoding.UTF8.GetString(message.Payload);

    /// <summary>
    /// Connects with the full-access token. The client id is made unique per gateway, so that tests sharing an
    /// instance never take over each other's connections.
    /// </summary>
    public static async Task<ConnectResult> ConnectAsync(IInstanceGrain grain, GatewayProbe gateway, long connectionId, string clientId, PublishedMessage? will = null)
    {
        var result = await grain.Connect(new ConnectRequest(gateway.Connection(connectionId), $"{gateway.GatewayId}-{clientId}", BrokerCluster.Secret, will));
        Assert.True(result.Accepted);
        return result;
    }

    /// <summary>A topic prefix of its own for each test: the instances are shared by the tests of a collection.</summary>
    public static string UniquePrefix() => $"t{Guid.NewGuid():N}";
}
