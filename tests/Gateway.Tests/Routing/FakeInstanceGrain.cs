using System.Collections.Immutable;
using System.Threading.Channels;
using Broker.Grains;

namespace Broker.Gateway.Tests.Routing;

/// <summary>
/// An instance grain whose <see cref="Publish"/> calls wait in <see cref="Batches"/> until the test ends them, with
/// success or a failure; the router under test makes no other call.
/// </summary>
internal sealed class FakeInstanceGrain : IInstanceGrain
{
    public Channel<(PublishBatch Batch, TaskCompletionSource Outcome)> Batches { get; } =
        Channel.CreateUnbounded<(PublishBatch, TaskCompletionSource)>();

    public Task Publish(PublishBatch batch)
    {
        var outcome = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Batches.Writer.TryWrite((batch, outcome));
        return outcome.Task;
    }

    public Task<ConnectResult> Connect(ConnectRequest request) => throw new NotSupportedException();

    public Task<TokenAccess> Authenticate(string? secret) => throw new NotSupportedException();

    public Task<PublishedMessage?> GetLastMessage(string filter, bool retained) => throw new NotSupportedException();

    public Task Disconnect(ConnectionAddress connection, bool clean) => throw new NotSupportedException();

    public Task<ImmutableArray<RetainedDelivery>> Subscribe(ConnectionAddress connection, ImmutableArray<SubscriptionRequest> subscriptions) =>
        throw new NotSupportedException();

    public Task Unsubscribe(ConnectionAddress connection, ImmutableArray<string> filters) => throw new NotSupportedException();

    public Task ReportError(ErrorReport report) => throw new NotSupportedException();

    public Task<byte[]> GetInfo() => throw new NotSupportedException();

    public Task Redefine(InstanceDefinition? definition) => throw new NotSupportedException();

    public Task<LeaseRenewal> RenewLease(string gatewayId) => throw new NotSupportedException();

    public Task Restore(string gatewayId, ImmutableArray<ConnectionSnapshot> connections) => throw new NotSupportedException();
}
