using System.Diagnostics;

namespace Broker.Bench.Targets;

/// <summary>
/// Starts this repository's gateway from its Release build in development mode (gateway and silo in one
/// process) on free ports, logging warnings and errors only. Builds it first when the build is missing.
/// </summary>
public static class OurBroker
{
    public const string BuildCommand = "dotnet build -c Release src/Gateway";

    public static async Task<BrokerProcess> StartAsync(string? repositoryRoot, CancellationToken cancellationToken)
    {
        var root = repositoryRoot ?? FindRepositoryRoot()
            ?? throw new BenchException("cannot find the repository (Cluster.sln) above the current directory; pass --repo PATH");
        var assembly = Path.Combine(root, "src", "Gateway", "bin", "Release", "net10.0", "Broker.Gateway.dll");
        if (!File.Exists(assembly))
        {
            Console.Error.WriteLine($"{assembly} is missing; building it: {BuildCommand}");
            await BuildAsync(root, cancellationToken);
        }

        var mqttPort = FreePort.Next();
        string[] arguments =
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
        return await BrokerProcess.StartAsync("ours", "dotnet", arguments, mqttPort, null, cancellationToken);
    }

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

    private static async Task BuildAsync(string root, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("dotnet") { WorkingDirectory = root, UseShellExecute = false };
        foreach (var argument in BuildCommand.Split(' ').Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var build = Process.Start(startInfo) ?? throw new BenchException("could not run dotnet");
        await build.WaitForExitAsync(cancellationToken);
        if (build.ExitCode != 0)
        {
            throw new BenchException($"`{BuildCommand}` failed (exit code {build.ExitCode}) in {root}");
        }
    }
}
