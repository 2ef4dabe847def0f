namespace Broker.Bench.Scenarios;

public enum ScenarioKind
{
    /// <summary>N publisher/subscriber pairs, one topic per pair.</summary>
    P2p,

    /// <summary>One publisher, M subscribers of its topic.</summary>
    Fanout,

    /// <summary>N publishers on distinct topics, one subscriber of bench/fanin/+.</summary>
    Fanin,

    /// <summary>One pair at a fixed, low rate.</summary>
    Latency,

    /// <summary>C idle connections: accept rate and broker memory per connection.</summary>
    Conn,
}
