namespace Broker.TestHost;

/// <summary>Unique client ids and topic prefixes, so tests sharing one broker never see each other's traffic.</summary>
public static class TestNames
{
    public static string ClientId(string prefix = "test") => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>A topic level nobody else uses, e.g. <c>t3f2a…</c>.</summary>
    public static string Topic() => $"t{Guid.NewGuid():N}";
}
