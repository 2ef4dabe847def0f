namespace Broker.Bench.Scenarios;

/// <summary>
/// Which gateway (of M) and which instance (of K) each client of a scenario uses. p2p: pair i in instance i % K, its
/// publisher on gateway i % M and its subscriber on (i + 1) % M, so that with two gateways or more every message
/// crosses gateways; latency is p2p's pair 0. fanout and fanin need one topic tree, so all their clients are in
/// instance 0: fanout's publisher on gateway 0 and subscriber j on j % M, fanin's publisher i on i % M and its
/// subscriber on 0. conn: connection i on gateway i % M in instance i % K.
/// </summary>
public static class ClientSpread
{
    public static (int Gateway, int Instance) Publisher(ScenarioKind kind, int index, int gateways, int instances) => kind switch
    {
        ScenarioKind.P2p or ScenarioKind.Latency => (index % gateways, index % instances),
        ScenarioKind.Fanout => (0, 0),
        ScenarioKind.Fanin => (index % gateways, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a messaging scenario"),
    };

    public static (int Gateway, int Instance) Subscriber(ScenarioKind kind, int index, int gateways, int instances) => kind switch
    {
        ScenarioKind.P2p or ScenarioKind.Latency => ((index + 1) % gateways, index % instances),
        ScenarioKind.Fanout => (index % gateways, 0),
        ScenarioKind.Fanin => (0, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a messaging scenario"),
    };

    public static (int Gateway, int Instance) Connection(int index, int gateways, int instances) => (index % gateways, index % instances);
}
