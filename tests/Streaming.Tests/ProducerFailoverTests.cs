using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Streams;
using Orleans.TestingHost;

namespace Broker.Streaming.Tests;

/// <summary>
/// Push streams when the silo of a producing grain is killed: three silos and a client per test (a test kills a
/// secondary silo, never the primary), the grains placed where the test says. The producer activates again on a
/// surviving silo and numbers what it produces under a new epoch from zero; the subscriber receives every item once
/// and in order, before and after. When the stream's registry died with the producer, the subscriber's next renewal
/// registers it with the registry's new activation.
/// </summary>
public sealed class ProducerFailoverTests : IAsyncLifetime
{
    private const int Count = 100;
    private static readonly TimeSpan RenewalPeriod = TimeSpan.FromSeconds(1);

    /// <summary>How long the cluster may take to route calls past the killed silo, and the subscriber to be renewed.</summary>
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long the client waits for an answer: a call it sent through the killed silo's gateway (a renewal, say)
    /// fails after this and is tried again, well within <see cref="RecoveryTimeout"/>.
    /// </summary>
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(3);

    private readonly FakeTimeProvider _clientTime = new();
    private InProcessTestCluster _cluster = null!;

    /// <summary>The silos that are still up.</summary>
    private IEnumerable<SiloAddress> LiveSilos => _cluster.Silos.Select(silo => silo.SiloAddress);

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => silo.AddPushStreams(PushCluster.Provider, Configure));
        builder.ConfigureClient(client =>
        {
            // Only the client's subscriptions run on the fake clock, so that they are renewed when the test says;
            // its messaging (gateway list, response timeouts) keeps real time to get past the killed silo.
            client.Services.AddSingleton<TimeProvider>(_clientTime);
            client.Services.AddKeyedSingleton(TimeProviderNames.Messaging, TimeProvider.System);
            client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = ResponseTimeout);
            client.AddPushStreams(PushCluster.Provider, Configure);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task AProducerWhoseSiloDiesProducesFromAnotherUnderANewEpochFromZeroAndTheSubscriberReceivesEveryItemOnceInOrder()
    {
        var (victim, registryHome) = (_cluster.Silos[1], _cluster.Silos[2]);
        var (producer, registry, observer, subscription) = await SubscribeAsync("producer-dies", producerOn: victim, registryOn: registryHome);
        var before = await ProduceAndReceiveAsync(producer, observer, first: 1);

        await _cluster.KillSiloAsync(victim);
        var newHost = await UntilItAnswersAsync(producer.Host);
        var subscribers = await registry.GetSubscribers();
        var after = await ProduceAndReceiveAsync(producer, observer, first: Count + 1);

        Assert.NotEqual(victim.SiloAddress, newHost);
        Assert.Contains(newHost, LiveSilos);
        Assert.Equal(registryHome.SiloAddress, HostOf(registry));
        Assert.Equal(subscription.HandleId, Assert.Single(subscribers).SubscriptionId);
        AssertOneEpochNumberedFromZero(before);
        AssertOneEpochNumberedFromZero(after);
        Assert.NotEqual(before[0].Token.Epoch, after[0].Token.Epoch);
        Assert.False(observer.Received.Reader.TryRead(out _));
    }

    [Fact]
    public async Task WhenTheRegistryDiesWithTheProducerTheSubscribersNextRenewalRegistersItAgainAndItReceivesEveryItemOnceInOrder()
    {
        var victim = _cluster.Silos[1];
        var (producer, registry, observer, subscription) = await SubscribeAsync("registry-dies-too", producerOn: victim, registryOn: victim);
        var before = await ProduceAndReceiveAsync(producer, observer, first: 1);

        await _cluster.KillSiloAsync(victim);
        var newHost = await UntilItAnswersAsync(producer.Host);
        var lost = await UntilItAnswersAsync(registry.GetSubscribers);
        var registryHost = HostOf(registry);
        var renewed = await UntilRenewedAsync(registry);
        var after = await ProduceAndReceiveAsync(producer, observer, first: Count + 1);

        Assert.NotEqual(victim.SiloAddress, newHost);
        Assert.Contains(newHost, LiveSilos);
        Assert.Empty(lost);
        Assert.NotNull(registryHost);
        Assert.Contains(registryHost, LiveSilos);
        Assert.Equal(subscription.HandleId, Assert.Single(renewed).SubscriptionId);
        AssertOneEpochNumberedFromZero(before);
        AssertOneEpochNumberedFromZero(after);
        Assert.NotEqual(before[0].Token.Epoch, after[0].Token.Epoch);
        Assert.False(observer.Received.Reader.TryRead(out _));
    }

    /// <summary>
    /// The stream's registry activated on <paramref name="registryOn"/>, the client subscribed to the stream, and its
    /// producer activated on <paramref name="producerOn"/>; each placement checked.
    /// </summary>
    private async Task<(IProducerGrain Producer, IPushStreamRegistryGrain Registry, NumberObserver Observer, StreamSubscriptionHandle<int> Subscription)> SubscribeAsync(
        string key,
        InProcessSiloHandle producerOn,
        InProcessSiloHandle registryOn)
    {
        var registry = IPushStreamRegistryGrain.Of(_cluster.Client, PushCluster.Provider, PushCluster.Stream(key));
        await PlacementHint.On(registryOn, registry.GetSubscribers);
        Assert.Equal(registryOn.SiloAddress, HostOf(registry));

        var observer = new NumberObserver();
        var subscription = await _cluster.Client.GetStreamProvider(PushCluster.Provider).GetStream<int>(PushCluster.Stream(key)).SubscribeAsync(observer);

        var producer = _cluster.Client.GetGrain<IProducerGrain>(key);
        Assert.Equal(producerOn.SiloAddress, await PlacementHint.On(producerOn, producer.Host));
        return (producer, registry, observer, subscription);
    }

    /// <summary>Produces <see cref="Count"/> numbers from <paramref name="first"/> in several batches; the subscriber must receive exactly those, in order.</summary>
    private static async Task<List<(int Item, PushSequenceToken Token)>> ProduceAndReceiveAsync(IProducerGrain producer, NumberObserver observer, int first)
    {
        var key = producer.GetPrimaryKeyString();
        var produced = Enumerable.Range(first, Count).ToArray();
        foreach (var chunk in produced.Chunk(7))
        {
            await producer.Produce(key, chunk);
        }

        var received = await observer.TakeAsync(Count);
        Assert.Equal(produced, received.Select(entry => entry.Item));
        return received;
    }

    /// <summary>What one producer activation sent: one epoch, numbered 0, 1, 2, ...</summary>
    private static void AssertOneEpochNumberedFromZero(List<(int Item, PushSequenceToken Token)> received)
    {
        Assert.Single(received.Select(entry => entry.Token.Epoch).Distinct());
        Assert.Equal(Enumerable.Range(0, received.Count).Select(i => (long)i), received.Select(entry => entry.Token.SequenceNumber));
    }

    /// <summary>
    /// Calls <paramref name="call"/> until it answers: calls to an activation on the killed silo fail until the
    /// cluster holds it dead, then the grain activates on a live silo.
    /// </summary>
    private static async Task<T> UntilItAnswersAsync<T>(Func<Task<T>> call)
    {
        using var deadline = new CancellationTokenSource(RecoveryTimeout);
        while (true)
        {
            try
            {
                return await call().WaitAsync(deadline.Token);
            }
            catch (Exception) when (!deadline.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>
    /// Advances the client's clock a renewal period at a time until the registry lists a subscription again. More
    /// than one round only if this lookup overtook the renewal's call (they may go through different gateways).
    /// </summary>
    private async Task<ImmutableArray<PushSubscriber>> UntilRenewedAsync(IPushStreamRegistryGrain registry)
    {
        using var deadline = new CancellationTokenSource(RecoveryTimeout);
        while (true)
        {
            _clientTime.Advance(RenewalPeriod);
            var subscribers = await registry.GetSubscribers().WaitAsync(deadline.Token);
            if (!subscribers.IsEmpty)
            {
                return subscribers;
            }
        }
    }

    /// <summary>The live silo that holds an activation of <paramref name="grain"/>, if any does.</summary>
    private SiloAddress? HostOf(IAddressable grain) =>
        _cluster.TryGetGrainContext(grain.GetGrainId(), out var context) ? context.Address.SiloAddress : null;

    private static void Configure(PushStreamOptions options)
    {
        options.RenewalPeriod = RenewalPeriod;

        // Far beyond the test: no lease runs out, a registry forgets the subscription only by dying.
        options.LeaseDuration = TimeSpan.FromMinutes(5);
    }
}
