namespace Broker.TestHost;

/// <summary>Unique client ids and topic prefixes, so tests sharing one broker never see each other's traffic.</summary>
public static class TestNames
{
    public static string ClientId(string prefix = "test") => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>A unique client id short enough for MQTT 3.1, which allows at most 23 characters.</summary>
    public static string Mqtt31ClientId() => $"v31-{Guid.NewGuid():N}"[..23];

    /// <summary>A topic level nobody else uses, e.g. <c>t3f2a…</c>.</summary>
    public static string Topic() => $"t{Guid.NewGuid():N}";
}
