using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Broker.TestHost;
using MQTTnet.Protocol;
using Xunit.Abstractions;
using static Broker.Deploy.Tests.RenderedManifests;

namespace Broker.Deploy.Tests;

/// <summary>
/// What the images run, without a container runtime (base images cannot be pulled here): each Dockerfile's build
/// stage publishes its role exactly as written, the image runs that output unprivileged, and a silo and a gateway
/// started from those folders with the environment the local overlay gives their containers (its ConfigMap, its
/// secrets, the downward API's pod address and name) form a cluster that serves MQTT and the admin API. Only what a
/// pod has and a test machine has not is replaced: the database (the test's own) and the ports (free ones, as
/// several test processes share the machine).
/// </summary>
public sealed partial class PublishedImageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(60);
    private readonly string _published = Path.Combine(Path.GetTempPath(), $"broker-published-{Guid.NewGuid():N}");
    private PostgreSqlDatabase _database = null!;

    [Fact]
    public async Task TheImagesPublishedOutputsRunAsTheLocalOverlayConfiguresThem()
    {
        var silo = await PublishAsync("Silo");
        var gateway = await PublishAsync("Gateway");
        var manifests = await RenderAsync("local");
        var (siloPort, clientPort, mqttPort, httpPort, metricsPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next());
        var adminKeyFile = Path.Combine(_published, "admin-key");
        var ports = new Dictionary<string, string>
        {
            ["Broker__Silo__Port"] = $"{siloPort}",
            ["Broker__Silo__GatewayPort"] = $"{clientPort}",
            ["Broker__Ports__Mqtt"] = $"{mqttPort}",
            ["Broker__Ports__Http"] = $"{httpPort}",
            ["Broker__Ports__Metrics"] = $"{metricsPort}",
        };

        var siloEnvironment = Environment(manifests, "broker-silo", "silo", silo.Environment, ports, adminKeyFile);
        var gatewayEnvironment = Environment(manifests, "broker-gateway", "gateway", gateway.Environment, ports, adminKeyFile);
        await using var siloProcess = BrokerProcess.StartAssembly(silo.Assembly, siloEnvironment);
        await siloProcess.WaitForLineAsync("listening");
        await using var gatewayProcess = BrokerProcess.StartAssembly(gateway.Assembly, gatewayEnvironment);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        await WaitForReadinessAsync(http, gatewayProcess);

        // The demo instance and its token come from the overlay's broker-instances Secret, given to the silos.
        var token = Data(manifests.Generated("Secret", "broker-instances"))["Broker__Instances__demo__Tokens__0__Secret"];
        var client = new MqttTestClientOptions { Instance = "demo", Secret = token, ClientId = TestNames.ClientId() };
        await using var subscriber = await MqttTestClient.ConnectAsync("127.0.0.1", mqttPort, client);
        await subscriber.SubscribeAsync("hello/#");
        await using var publisher = await MqttTestClient.ConnectAsync("127.0.0.1", mqttPort, client with { ClientId = TestNames.ClientId() });
        Assert.True((await publisher.PublishAsync("hello/image", "from the published output")).IsSuccess);
        Assert.Equal(new ReceivedMessage("hello/image", "from the published output", MqttQualityOfServiceLevel.AtLeastOnce, false), await subscriber.ReceiveAsync());

        // The admin key is the overlay's broker-admin Secret, mounted as a file.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/instances");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Data(manifests.Generated("Secret", "broker-admin"))["key"]);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);

        // Prometheus finds the gateway's metrics where the pod's annotations say.
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        Assert.Contains("broker_connections{", await metrics.GetStringAsync("/metrics"), StringComparison.Ordinal);

        // The silo is in the membership table under its pod's address and name.
        Assert.Equal(siloEnvironment["Broker__Silo__Name"], await _database.ScalarAsync($"SELECT silo_name FROM orleans_membership WHERE port = {siloPort} AND status = 3"));
        Assert.Empty(siloProcess.FailureLines);
        Assert.Empty(gatewayProcess.FailureLines);
    }

    public async Task InitializeAsync() => _database = await PostgreSqlDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        if (Directory.Exists(_published))
        {
            Directory.Delete(_published, recursive: true);
        }
    }

    /// <summary>
    /// A container's environment from the rendered overlay: its ConfigMap and literal variables over the image's own
    /// (<paramref name="image"/>), its secrets decoded, and the downward API's fields as a pod would have them here.
    /// </summary>
    private Dictionary<string, string> Environment(
        RenderedManifests manifests, string workload, string container, IReadOnlyDictionary<string, string> image, Dictionary<string, string> ports, string adminKeyFile)
    {
        var deployment = manifests.Single("Deployment", workload);
        var environment = new Dictionary<string, string>(image, StringComparer.Ordinal);
        foreach (var (key, value) in ManifestTests.Settings(manifests, deployment, container))
        {
            environment[key] = value;
        }

        var spec = Container(deployment, container);
        foreach (var source in spec["envFrom"]?.AsArray() ?? [])
        {
            if (source!["secretRef"]?["name"] is { } secret)
            {
                foreach (var (key, value) in Data(manifests.Single("Secret", (string)secret!)))
                {
                    environment[key] = value;
                }
            }
        }

        foreach (var variable in spec["env"]?.AsArray() ?? [])
        {
            var name = (string)variable!["name"]!;
            environment[name] = variable["valueFrom"] switch
            {
                JsonObject { } from when from["fieldRef"] is { } field => (string)field["fieldPath"]! switch
                {
                    "status.podIP" => "127.0.0.1",
                    "metadata.name" => $"{workload}-7f9c6d5b4-x2k8p",
                    var other => throw new InvalidOperationException($"{workload} reads {other} from the downward API"),
                },

                // The overlay's database is its own PostgreSQL Service; here it is the test's database.
                JsonObject { } from when (string?)from["secretKeyRef"]?["name"] is { } secret && secret.StartsWith("broker-database", StringComparison.Ordinal) =>
                    _database.ConnectionString,
                JsonObject { } from when from["secretKeyRef"] is { } reference =>
                    Data(manifests.Single("Secret", (string)reference["name"]!))[(string)reference["key"]!],
                _ => environment[name],
            };
        }

        // The admin key's Secret volume, as the pod mounts it.
        if (environment.TryGetValue("Broker__Admin__KeyFile", out _))
        {
            File.WriteAllText(adminKeyFile, Data(manifests.Generated("Secret", "broker-admin"))["key"]);
            environment["Broker__Admin__KeyFile"] = adminKeyFile;
        }

        foreach (var (key, value) in ports)
        {
            environment[key] = value;
        }

        return environment;
    }

    /// <summary>
    /// Runs the Dockerfile's publish command for a role into a folder of the test's own and returns the assembly its
    /// ENTRYPOINT runs and the variables its ENV sets, after checking that the image runs unprivileged on the ASP.NET
    /// runtime.
    /// </summary>
    private async Task<(string Assembly, IReadOnlyDictionary<string, string> Environment)> PublishAsync(string role)
    {
        var root = BrokerProcess.RepositoryRoot();
        var dockerfile = await File.ReadAllLinesAsync(Path.Combine(root, "src", role, "Dockerfile"));
        var stages = dockerfile.Where(line => line.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, stages.Count);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", stages[0], StringComparison.Ordinal);
        Assert.Equal("FROM mcr.microsoft.com/dotnet/aspnet:10.0", stages[1]);
        Assert.Contains("USER $APP_UID", dockerfile);

        var publish = dockerfile.Single(line => line.StartsWith("RUN dotnet publish ", StringComparison.Ordinal))["RUN ".Length..].Split(' ');
        Assert.Equal(["dotnet", "publish", $"src/{role}/{role}.csproj", "-c", "Release", "-o", "/app"], publish);
        var folder = Path.Combine(_published, role);
        var started = Stopwatch.StartNew();
        await RunAsync(root, "dotnet", [.. publish[1..^1], folder]);
        output.WriteLine($"published {role} in {started.Elapsed.TotalSeconds:F0} s");

        var entrypoint = dockerfile.Single(line => line.StartsWith("ENTRYPOINT ", StringComparison.Ordinal));
        var assembly = EntrypointAssembly().Match(entrypoint).Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(folder, assembly)), $"{role}'s ENTRYPOINT runs {assembly}, which the publish did not write");

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in dockerfile.Where(line => line.StartsWith("ENV ", StringComparison.Ordinal)))
        {
            foreach (var pair in line["ENV ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var (key, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                environment[key] = value;
            }
        }

        return (Path.Combine(folder, assembly), environment);
    }

    private static async Task WaitForReadinessAsync(HttpClient http, BrokerProcess gateway)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > ReadinessTimeout)
            {
                throw new TimeoutException($"the published gateway was not ready within {ReadinessTimeout}; it wrote:\n{string.Join('\n', gateway.Lines)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    private static async Task RunAsync(string folder, string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed:\n{await standardOutput}\n{await standardError}");
    }

    [System.Text.RegularExpressions.GeneratedRegex("\"(Broker\\.[A-Za-z]+\\.dll)\"")]
    private static partial System.Text.RegularExpressions.Regex EntrypointAssembly();
}
