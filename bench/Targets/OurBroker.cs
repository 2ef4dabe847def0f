using System.Diagnostics;

namespace Broker.Bench.Targets;

/// <summary>
/// Starts this repository's gateway from its Release build in development mode (gateway and silo in one
/// process) on free ports, logging warnings and errors only. Builds it first when the build is missing. With one
/// instance its clients connect without credentials (instance <c>local</c>); with more, instances <c>bench0</c>,
/// <c>bench1</c>, ... are configured to let clients in without a password, as <c>local</c> does.
/// </summary>
public static class OurBroker
{
    public const string Configuration = "Release";

    public static async Task<RunningBroker> StartAsync(string? repositoryRoot, int instances, CancellationToken cancellationToken)
    {
        var assembly = await AssemblyAsync(RepositoryRoot(repositoryRoot), "Gateway", Configuration, cancellationToken);
        var mqttPort = FreePort.Next();
        List<string> arguments =
        [
            assembly,
            $"--Broker:Ports:Mqtt={mqttPort}",
            "--Broker:Ports:Http=0",
            "--Broker:Ports:MqttTls=0",
            "--Broker:Ports:Https=0",
            $"--Broker:Silo:Port={FreePort.Next()}",
            $"--Broker:Silo:GatewayPort={FreePort.Next()}",
            "--Logging:LogLevel:Default=Warning",
        ];
        string[] names = instances > 1 ? [.. Enumerable.Range(0, instances).Select(InstanceName)] : [];
        arguments.AddRange(names.Select(name => $"--Broker:Instances:{name}:AllowAnonymous=true"));
        BrokerCredentials?[] credentials = names.Length > 0 ? [.. names.Select(name => new BrokerCredentials(name, null))] : [null];
        return await RunningBroker.StartAsync(instances > 1 ? $"ours, {instances} instances" : "ours", "dotnet", arguments, mqttPort, credentials, null, cancellationToken);
    }

    /// <summary>The name of the k-th instance clients are spread over.</summary>
    public static string InstanceName(int index) => $"bench{index}";

    /// <summary>The given repository root, or the one found above the current directory or the tool.</summary>
    public static string RepositoryRoot(string? given) =>
        given ?? FindRepositoryRoot() ?? throw new BenchException("cannot find the repository (Cluster.sln) above the current directory; pass --repo PATH");

    public static string? FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Cluster.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The path of <c>src/<paramref name="project"/></c>'s assembly (<c>Broker.Gateway.dll</c>, <c>Broker.Silo.dll</c>)
    /// in the build of <paramref name="configuration"/>, built first when it is missing.
    /// </summary>
    public static async Task<string> AssemblyAsync(string root, string project, string configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var assembly = Path.Combine(root, "src", project, "bin", configuration, "net10.0", $"Broker.{project}.dll");
        if (File.Exists(assembly))
        {
            return assembly;
        }

        var command = $"dotnet build -c {configuration} src/{project}";
        Console.Error.WriteLine($"{assembly} is missing; building it: {command}");
        var startInfo = new ProcessStartInfo("dotnet") { WorkingDirectory = root, UseShellExecute = false };
        foreach (var argument in command.Split(' ').Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var build = Process.Start(startInfo) ?? throw new BenchException("could not run dotnet");
        await build.WaitForExitAsync(cancellationToken);
        return build.ExitCode == 0
            ? assembly
            : throw new BenchException($"`{command}` failed (exit code {build.ExitCode}) in {root}");
    }
}
