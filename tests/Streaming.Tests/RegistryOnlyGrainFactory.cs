using System.Collections.Immutable;
using System.Reflection;

namespace Broker.Streaming.Tests;

/// <summary>
/// A grain factory that hands out one registry for every stream, with the subscribers a test gives it (none unless
/// told), and counts the lookups: enough for a producer on its own, without a cluster. The registry can be told to
/// fail lookups, as a call to a silo known to be dead fails before it returns, or to hold the next one until the test
/// answers it.
/// </summary>
internal class RegistryOnlyGrainFactory : DispatchProxy
{
    public FakeRegistry Registry { get; } = new();

    public static RegistryOnlyGrainFactory Create() => (RegistryOnlyGrainFactory)(object)Create<IGrainFactory, RegistryOnlyGrainFactory>();

    public IGrainFactory Factory => (IGrainFactory)(object)this;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        targetMethod?.Name == nameof(IGrainFactory.GetGrain) && targetMethod.ReturnType == typeof(IPushStreamRegistryGrain)
            ? Registry
            : throw new NotSupportedException(targetMethod?.ToString());

    /// <summary>A registry that knows the subscribers it is given.</summary>
    internal sealed class FakeRegistry : IPushStreamRegistryGrain
    {
        private int _lookups;
        private TaskCompletionSource? _heldLookup;

        public int Lookups => Volatile.Read(ref _lookups);

        /// <summary>Lookups to fail at once, before anything is awaited.</summary>
        public int FailuresToCome { get; set; }

        public ImmutableArray<PushSubscriber> Subscribers { get; set; } = [];

        /// <summary>Makes the next lookup wait until the returned source is completed; it then answers on another thread.</summary>
        public TaskCompletionSource HoldNextLookup() => _heldLookup = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Register(PushSubscriber subscriber, TimeSpan leaseDuration) => Task.CompletedTask;

        public Task Unregister(Guid subscriptionId) => Task.CompletedTask;

        public Task<ImmutableArray<PushSubscriber>> GetSubscribers()
        {
            Interlocked.Increment(ref _lookups);
            if (FailuresToCome > 0)
            {
                FailuresToCome--;
                return Task.FromException<ImmutableArray<PushSubscriber>>(new TimeoutException("the registry's silo is dead"));
            }

            if (Interlocked.Exchange(ref _heldLookup, null) is { } held)
            {
                return AnswerWhenReleasedAsync(held.Task);
            }

            return Task.FromResult(Subscribers);
        }

        private async Task<ImmutableArray<PushSubscriber>> AnswerWhenReleasedAsync(Task released)
        {
            await released;
            return Subscribers;
        }
    }
}
