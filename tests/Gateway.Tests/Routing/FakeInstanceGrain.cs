using System.Collections.Immutable;
using System.Threading.Channels;
using Broker.Grains;

namespace Broker.Gateway.Tests.Routing;

/// <summary>
/// An instance grain whose <see cref="Publish"/> calls wait in <see cref="Batches"/> until the test ends them, with
/// an outcome or a failure. Lease renewals answer with <see cref="LeaseId"/>, and restores are recorded; the router
/// under test makes no other call.
/// </summary>
internal sealed class FakeInstanceGrain : IInstanceGrain
{
    public Channel<(PublishBatch Batch, TaskCompletionSource<PublishOutcome> Outcome)> Batches { get; } =
        Channel.CreateUnbounded<(PublishBatch, TaskCompletionSource<PublishOutcome>)>();

    /// <summary>The lease the instance holds the gateway's connections under, as renewals answer.</summary>
    public Guid LeaseId { get; set; } = Guid.NewGuid();

    public Channel<(ImmutableArray<ConnectionSnapshot> Connections, ImmutableArray<string> Gateways)> Restores { get; } =
        Channel.CreateUnbounded<(ImmutableArray<ConnectionSnapshot>, ImmutableArray<string>)>();

    public Task<PublishOutcome> Publish(PublishBatch batch)
    {
        var outcome = new TaskCompletionSource<PublishOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
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

    public Task<LeaseRenewal> RenewLease(string gatewayId) => Task.FromResult(new LeaseRenewal(Guid.Empty, LeaseId, LastSequence: 0, Gateways: []));

    public Task Restore(string gatewayId, ImmutableArray<ConnectionSnapshot> connections, ImmutableArray<string> gateways)
    {
        Restores.Writer.TryWrite((connections, gateways));
        return Task.CompletedTask;
    }
}
