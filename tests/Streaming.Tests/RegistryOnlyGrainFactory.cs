using System.Collections.Immutable;
using System.Reflection;

namespace Broker.Streaming.Tests;

/// <summary>
/// A grain factory that hands out one registry with no subscribers for every stream, and counts the lookups:
/// enough for a producer on its own, without a cluster. The registry can be told to fail lookups, as a call to a
/// silo known to be dead fails before it returns.
/// </summary>
internal class RegistryOnlyGrainFactory : DispatchProxy
{
    public EmptyRegistry Registry { get; } = new();

    public static RegistryOnlyGrainFactory Create() => (RegistryOnlyGrainFactory)(object)Create<IGrainFactory, RegistryOnlyGrainFactory>();

    public IGrainFactory Factory => (IGrainFactory)(object)this;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        targetMethod?.Name == nameof(IGrainFactory.GetGrain) && targetMethod.ReturnType == typeof(IPushStreamRegistryGrain)
            ? Registry
            : throw new NotSupportedException(targetMethod?.ToString());

    /// <summary>A registry that knows no subscriber.</summary>
    internal sealed class EmptyRegistry : IPushStreamRegistryGrain
    {
        private int _lookups;

        public int Lookups => Volatile.Read(ref _lookups);

        /// <summary>Lookups to fail at once, before anything is awaited.</summary>
        public int FailuresToCome { get; set; }

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

            return Task.FromResult(ImmutableArray<PushSubscriber>.Empty);
        }
    }
}
