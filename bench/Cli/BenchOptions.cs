using System.Globalization;
using System.Net;
using Broker.Bench.Scenarios;
using Broker.Bench.Targets;
using Broker.Protocol;

namespace Broker.Bench.Cli;

/// <summary>The command line: a scenario (or all) and options; scenario defaults are applied by <see cref="SettingsFor"/>.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        usage: dotnet run -c Release --project bench -- SCENARIO [options]

        scenarios:
          p2p       N publisher/subscriber pairs, one topic per pair          (--pairs, default 10)
          fanout    1 publisher, M subscribers on one topic                   (--subscribers, default 100)
          fanin     N publishers on bench/fanin/<i>, 1 subscriber on bench/fanin/+ (--publishers, default 10)
          latency   1 pair at a fixed rate                                    (--rate, default 10000)
          conn      C idle connections: accept rate, broker memory per connection (--connections, default 10000)
          all       every scenario above with its defaults (options apply to all)

        options:
          --qos 0|1                 QoS of publishes and subscriptions (default 0)
          --payload BYTES           payload size, at least 16 for the stamp (default 64)
          --retain                  publish retained messages (each replaces its topic's)
          --rate MSG_PER_S          total publish rate of all publishers; 0 = as fast as the window allows (default 0)
          --duration SECONDS        measured time (default 10)
          --warmup SECONDS          time before measuring, excluded from the figures (default 2)
          --drain SECONDS           longest wait for messages after the last send (default 5)
          --pairs N | --publishers N | --subscribers M | --connections C
          --window W                at rate 0, messages per publisher sent but not yet received (default 1000)
          --receive-threads T       threads receiving for all subscribers, each waiting on its share of the
                                    sockets with epoll (default: half the cores, at least 1)
          --pacing-quantum MICROSECONDS  with --rate, send at most once per quantum, everything due at once:
                                    fewer wake-ups, but up to a quantum of added latency (default 0)
          --target ours|mosquitto|both|cluster  brokers the tool starts (default both); cluster: our silos
                                    and gateways, each a process, in cluster mode on PostgreSQL
          --silos N --gateways M    the cluster's silos and gateways (default 2 and 2)
          --instances K             ours and cluster: instances bench0..bench{K-1} to spread the clients over
                                    (default 1: the cluster's bench0, ours' local; mosquitto has one namespace)
          --database CONNSTRING     cluster: Npgsql connection string of a PostgreSQL server the tool creates a
                                    database on for each scenario and drops after (default: a throwaway server
                                    for the run, started and stopped with .ci/postgres)
          --broker HOST:PORT        use an already running broker instead
          --broker-pid PID          its process id, for its CPU and memory (conn)
          --username NAME --password SECRET  what its clients CONNECT with (a cluster-mode broker: an
                                    instance and one of its token secrets)
          --repo PATH               repository root, to find the builds of src/Gateway and src/Silo (default:
                                    found upwards)
          --markdown                also print the tables as Markdown
          --smoke                   ~2 s per scenario with tiny sizes (CI)

        clients over M gateways and K instances (cluster; ours with --instances: one address, K instances):
          p2p       pair i in instance i % K, its publisher on gateway i % M and its subscriber on (i + 1) % M
                    (with 2 gateways every message crosses gateways)
          latency   as p2p's pair 0
          fanout    all in instance 0 (one topic); the publisher on gateway 0, subscriber j on j % M
          fanin     all in instance 0 (one topic tree); publisher i on gateway i % M, the subscriber on 0
          conn      connection i on gateway i % M in instance i % K
          Only p2p and conn use instances other than 0, and p2p only with more pairs than one.
        """;

    public required string Scenario { get; init; }

    public QualityOfService? Qos { get; init; }

    public int? PayloadBytes { get; init; }

    public bool Retain { get; init; }

    public double? Rate { get; init; }

    public double? DurationSeconds { get; init; }

    public double? WarmupSeconds { get; init; }

    public double? DrainSeconds { get; init; }

    public int? Pairs { get; init; }

    public int? Publishers { get; init; }

    public int? Subscribers { get; init; }

    public int? Connections { get; init; }

    public int? Window { get; init; }

    public int? ReceiveThreads { get; init; }

    public double? PacingQuantumMicroseconds { get; init; }

    public TargetChoice Target { get; init; } = TargetChoice.Both;

    public IPEndPoint? Broker { get; init; }

    public int? BrokerProcessId { get; init; }

    public string? UserName { get; init; }

    public string? Password { get; init; }

    public string? RepositoryRoot { get; init; }

    public int? Silos { get; init; }

    public int? Gateways { get; init; }

    public int? Instances { get; init; }

    /// <summary>A PostgreSQL server to create the cluster's databases on; null: a throwaway one for the run.</summary>
    public string? Database { get; init; }

    /// <summary>The cluster that <c>--target cluster</c> starts: the options given, else 2 silos, 2 gateways and 1 instance.</summary>
    public ClusterLayout Cluster => new(Silos ?? 2, Gateways ?? 2, Instances ?? 1);

    public bool Markdown { get; init; }

    public bool Smoke { get; init; }

    public IReadOnlyList<ScenarioKind> Scenarios => Scenario == "all"
        ? [ScenarioKind.P2p, ScenarioKind.Fanout, ScenarioKind.Fanin, ScenarioKind.Latency, ScenarioKind.Conn]
        : [Enum.Parse<ScenarioKind>(Scenario, ignoreCase: true)];

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0 || args[0] is not ("p2p" or "fanout" or "fanin" or "latency" or "conn" or "all"))
        {
            throw new ArgumentException(args.Count == 0 ? "no scenario given" : $"unknown scenario '{args[0]}'");
        }

        var options = new BenchOptions { Scenario = args[0] };
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            options = name switch
            {
                "--qos" => options with { Qos = Value() switch { "0" => QualityOfService.AtMostOnce, "1" => QualityOfService.AtLeastOnce, var v => throw new ArgumentException($"--qos {v}: only 0 and 1") } },
                "--payload" => options with { PayloadBytes = Integer(name, Value(), 16) },
                "--rate" => options with { Rate = Number(name, Value()) },
                "--duration" => options with { DurationSeconds = Positive(name, Number(name, Value())) },
                "--warmup" => options with { WarmupSeconds = Number(name, Value()) },
                "--drain" => options with { DrainSeconds = Number(name, Value()) },
                "--pairs" => options with { Pairs = Integer(name, Value(), 1) },
                "--publishers" => options with { Publishers = Integer(name, Value(), 1) },
                "--subscribers" => options with { Subscribers = Integer(name, Value(), 1) },
                "--connections" => options with { Connections = Integer(name, Value(), 1) },
                "--window" => options with { Window = Integer(name, Value(), 1) },
                "--pacing-quantum" => options with { PacingQuantumMicroseconds = Number(name, Value()) },
                "--receive-threads" => options with { ReceiveThreads = Integer(name, Value(), 1) },
                "--target" => options with { Target = Enum.TryParse<TargetChoice>(Value(), true, out var target) ? target : throw new ArgumentException("--target: ours, mosquitto, both or cluster") },
                "--silos" => options with { Silos = Integer(name, Value(), 1) },
                "--gateways" => options with { Gateways = Integer(name, Value(), 1) },
                "--instances" => options with { Instances = Integer(name, Value(), 1) },
                "--database" => options with { Database = Value() },
                "--broker" => options with { Broker = IPEndPoint.TryParse(Value().Replace("localhost", "127.0.0.1", StringComparison.Ordinal), out var endpoint) && endpoint.Port != 0 ? endpoint : throw new ArgumentException("--broker: HOST:PORT with an IPv4 address or localhost") },
                "--broker-pid" => options with { BrokerProcessId = Integer(name, Value(), 1) },
                "--username" => options with { UserName = Value() },
                "--password" => options with { Password = Value() },
                "--repo" => options with { RepositoryRoot = Value() },
                "--markdown" => options with { Markdown = true },
                "--retain" => options with { Retain = true },
                "--smoke" => options with { Smoke = true },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }

        if ((options.Silos is not null || options.Gateways is not null || options.Database is not null) && (options.Target != TargetChoice.Cluster || options.Broker is not null))
        {
            throw new ArgumentException("--silos, --gateways and --database are options of --target cluster (without --broker)");
        }

        if (options.Instances > 1 && (options.Target == TargetChoice.Mosquitto || options.Broker is not null))
        {
            throw new ArgumentException("--instances: with --target ours, both or cluster (a running broker takes --username and --password)");
        }

        return options;
    }

    /// <summary>The settings of one scenario: explicit options first, then the smoke sizes, then the scenario's defaults.</summary>
    public ScenarioSettings SettingsFor(ScenarioKind kind)
    {
        var (publishers, subscribers) = kind switch
        {
            ScenarioKind.P2p => (Pairs ?? (Smoke ? 2 : 10), Pairs ?? (Smoke ? 2 : 10)),
            ScenarioKind.Fanout => (1, Subscribers ?? (Smoke ? 3 : 100)),
            ScenarioKind.Fanin => (Publishers ?? (Smoke ? 3 : 10), 1),
            _ => (1, 1),
        };
        var defaultRate = kind == ScenarioKind.Latency ? (Smoke ? 1000 : 10_000) : 0;
        return new ScenarioSettings
        {
            Kind = kind,
            Qos = Qos ?? QualityOfService.AtMostOnce,
            PayloadBytes = PayloadBytes ?? 64,
            Retain = Retain,
            Rate = Rate ?? defaultRate,
            Duration = TimeSpan.FromSeconds(DurationSeconds ?? (Smoke ? 1.5 : 10)),
            Warmup = TimeSpan.FromSeconds(WarmupSeconds ?? (Smoke ? 0.5 : 2)),
            Drain = TimeSpan.FromSeconds(DrainSeconds ?? 5),
            Publishers = publishers,
            Subscribers = subscribers,
            Connections = Connections ?? (Smoke ? 50 : 10_000),
            Window = Window ?? 1000,
            ReceiveThreads = ReceiveThreads ?? 0,
            PacingQuantum = TimeSpan.FromMicroseconds(PacingQuantumMicroseconds ?? 0),
        };
    }

    private static double Number(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= 0
            ? number
            : throw new ArgumentException($"{name}: '{value}' is not a non-negative number");

    private static double Positive(string name, double value) =>
        value > 0 ? value : throw new ArgumentException($"{name} must be more than 0");

    private static int Integer(string name, string value, int minimum) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= minimum
            ? number
            : throw new ArgumentException($"{name}: '{value}' is not an integer of at least {minimum}");
}
