using System.Collections.Immutable;
using System.Threading.Channels;
using Broker.Gateway.Routing;
using Broker.Grains;

namespace Broker.Gateway.Tests.Connections;

/// <summary>
/// One joined connection's instance, faked: publishes wait in <see cref="Published"/> until the test accepts them
/// (only then does the connection owe its client an acknowledgement), subscriptions are granted with the retained
/// messages the test put in <see cref="Retained"/>, and the leave is recorded.
/// </summary>
internal sealed class FakeInstanceSession(IConnectionSink connection, string instance, string clientId, PublishedMessage? will, bool readOnly)
    : IInstanceSession
{
    private readonly TaskCompletionSource<bool> _left = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IConnectionSink Connection { get; } = connection;

    public string Instance { get; } = instance;

    public string ClientId { get; } = clientId;

    public PublishedMessage? Will { get; } = will;

    public bool ReadOnly { get; } = readOnly;

    public string? TokenId => null;

    public Channel<(PublishedMessage Message, ushort PacketId)> Published { get; } = Channel.CreateUnbounded<(PublishedMessage, ushort)>();

    public Channel<ImmutableArray<SubscriptionRequest>> Subscribed { get; } = Channel.CreateUnbounded<ImmutableArray<SubscriptionRequest>>();

    public Channel<ImmutableArray<string>> Unsubscribed { get; } = Channel.CreateUnbounded<ImmutableArray<string>>();

    public Channel<(string Code, string? Topic)> Reports { get; } = Channel.CreateUnbounded<(string, string?)>();

    public List<RetainedDelivery> Retained { get; } = [];

    /// <summary>Completes with whether the connection ended cleanly.</summary>
    public Task<bool> Left => _left.Task;

    /// <summary>The instance accepted a publish: a QoS 1 or 2 message is acknowledged now.</summary>
    public void Accept(PublishedMessage message, ushort packetId)
    {
        if (message.Qos > 0)
        {
            Connection.Acknowledge(packetId, exactlyOnce: message.Qos == 2);
            Connection.Flush();
        }
    }

    public ValueTask PublishAsync(PublishedMessage message, ushort packetId)
    {
        Published.Writer.TryWrite((message, packetId));
        return ValueTask.CompletedTask;
    }

    public Task<ImmutableArray<RetainedDelivery>> SubscribeAsync(ImmutableArray<SubscriptionRequest> subscriptions)
    {
        Subscribed.Writer.TryWrite(subscriptions);
        return Task.FromResult(Retained.ToImmutableArray());
    }

    public Task UnsubscribeAsync(ImmutableArray<string> filters)
    {
        Unsubscribed.Writer.TryWrite(filters);
        return Task.CompletedTask;
    }

    public Task ReportAsync(string code, string? topic)
    {
        Reports.Writer.TryWrite((code, topic));
        return Task.CompletedTask;
    }

    public Task LeaveAsync(bool clean)
    {
        _left.TrySetResult(clean);
        return Task.CompletedTask;
    }
}
