using System.Threading.Channels;
using Broker.Gateway.Routing;
using Broker.Grains;

namespace Broker.Gateway.Tests.Routing;

/// <summary>A connection as routing sees it, recording the acknowledgements and aborts it is handed, with the subscriptions it is given.</summary>
internal sealed class RecordingSink(long id, params SubscriptionRequest[] subscriptions) : IConnectionSink
{
    public long Id { get; } = id;

    public Channel<ushort> Acknowledged { get; } = Channel.CreateUnbounded<ushort>();

    public Channel<string> Aborted { get; } = Channel.CreateUnbounded<string>();

    public void Deliver(PublishedMessage message, byte qos, bool retain, bool rootSlash) => throw new NotSupportedException();

    public void Acknowledge(ushort packetId, bool exactlyOnce) => Acknowledged.Writer.TryWrite(packetId);

    public void Flush()
    {
    }

    public void Abort(string reason) => Aborted.Writer.TryWrite(reason);

    public ConnectionSnapshot Snapshot() => new(Id, $"client-{Id}", Will: null, [.. subscriptions], ReadOnly: false, TokenId: null);
}
