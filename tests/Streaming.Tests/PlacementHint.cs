using Orleans.Runtime.Placement;
using Orleans.TestingHost;

namespace Broker.Streaming.Tests;

/// <summary>Where a test wants a grain activated: a call with a placement hint activates its grain on the silo named.</summary>
internal static class PlacementHint
{
    /// <summary>Calls <paramref name="call"/> with a placement hint, so that the grain it activates lands on <paramref name="silo"/>.</summary>
    public static async Task<T> On<T>(InProcessSiloHandle silo, Func<Task<T>> call)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo.SiloAddress);
        try
        {
            return await call();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }
}
