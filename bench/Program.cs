using Broker.Bench;
using Broker.Bench.Cli;
using Broker.Bench.Reporting;
using Broker.Bench.Scenarios;
using Broker.Bench.Targets;

if (args.Length == 0 || args.Any(arg => arg is "--help" or "-h"))
{
    Console.WriteLine(BenchOptions.Usage);
    return args.Length == 0 ? 2 : 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine(exception.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    if (options.Scenarios.Contains(ScenarioKind.Conn))
    {
        // Fail before starting anything when the sockets cannot fit.
        ConnectionScenario.CheckOpenFilesLimit(options.SettingsFor(ScenarioKind.Conn).Connections);
    }

    var targets = options.Broker is not null
        ? ["broker"]
        : options.Target switch
        {
            TargetChoice.Ours => new[] { "ours" },
            TargetChoice.Mosquitto => ["mosquitto"],
            TargetChoice.Cluster => ["cluster"],
            _ => ["ours", "mosquitto"],
        };

    // One PostgreSQL server for the whole run; each cluster gets a database of its own on it.
    await using var postgres = targets.Contains("cluster") && options.Database is null
        ? await ThrowawayPostgreSql.StartAsync(OurBroker.RepositoryRoot(options.RepositoryRoot), cancel.Token)
        : null;
    var databaseServer = options.Database ?? postgres?.ConnectionString;
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    foreach (var kind in options.Scenarios)
    {
        var settings = options.SettingsFor(kind);
        var results = new List<ScenarioResult>();
        foreach (var target in targets)
        {
            Console.Error.WriteLine($"running {settings.Describe()} against {target}...");
            results.Add(await RunAgainstAsync(target, settings, databaseServer, cancel.Token));
        }

        Console.WriteLine();
        Console.WriteLine(ReportTable.Text(results));
        if (options.Markdown)
        {
            Console.WriteLine(ReportTable.Markdown(results));
        }
    }

    return 0;
}
catch (BenchException exception)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    return 1;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}

async Task<ScenarioResult> RunAgainstAsync(string target, ScenarioSettings settings, string? databaseServer, CancellationToken cancellationToken)
{
    if (options.Broker is { } address)
    {
        return await ScenarioRunner.RunAsync(settings, new BrokerEndpoint(target, address, options.BrokerProcessId, options.UserName is { } user ? new BrokerCredentials(user, options.Password) : null), cancellationToken);
    }

    // A fresh broker per scenario, so that one scenario's leftovers (memory, queues, state) do not weigh on the next;
    // the database is dropped after the cluster has stopped.
    await using var database = target == "cluster" ? await BenchDatabase.CreateAsync(databaseServer!, cancellationToken) : null;
    await using var broker = target switch
    {
        "ours" => await OurBroker.StartAsync(options.RepositoryRoot, options.Instances ?? 1, cancellationToken),
        "mosquitto" => await MosquittoBroker.StartAsync(cancellationToken),
        _ => await OurCluster.StartAsync(options.RepositoryRoot, options.Cluster, database!.ConnectionString, cancellationToken),
    };
    var result = await ScenarioRunner.RunAsync(settings, broker.Endpoint, cancellationToken);
    return broker.UnexpectedExit is { } exit ? result with { Warnings = [.. result.Warnings, exit] } : result;
}
