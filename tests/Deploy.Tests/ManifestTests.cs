using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using static Broker.Deploy.Tests.RenderedManifests;

namespace Broker.Deploy.Tests;

/// <summary>
/// Every overlay of <c>deploy/k8s</c> renders with <c>kubectl kustomize</c>, every object it renders is valid against
/// the Kubernetes schemas (offline), and what the broker needs holds in each: probes on the health endpoints, ports
/// that agree between the Service, the containers and the broker's configuration, a scalable gateway, silos that a
/// rolling update never all takes away, and secrets kept out of ConfigMaps.
/// </summary>
public sealed partial class ManifestTests(ITestOutputHelper output)
{
    /// <summary>The Secrets an overlay expects to exist without rendering them: created by the operator (deploy/k8s/README.md).</summary>
    private static readonly Dictionary<string, string[]> ProvidedSecrets = new()
    {
        ["local"] = [],
        ["production"] = ["broker-database", "broker-admin", "broker-tls"],
    };

    public static TheoryData<string> Overlays => [.. ProvidedSecrets.Keys];

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task RendersObjectsValidAgainstTheKubernetesSchemas(string overlay)
    {
        var manifests = await RenderAsync(overlay);

        output.WriteLine($"{overlay}: {string.Join(", ", manifests.Names)}");
        foreach (var kind in new[] { "ConfigMap", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget" })
        {
            Assert.NotEmpty(manifests.OfKind(kind));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task TheGatewayIsProbedOnItsHealthEndpointsAndStopsAfterLeavingTheService(string overlay)
    {
        var gateway = (await RenderAsync(overlay)).Single("Deployment", "broker-gateway");
        var container = Container(gateway, "gateway");
        var ports = Ports(container);

        foreach (var (probe, path) in new[] { ("readinessProbe", "/readyz"), ("livenessProbe", "/livez") })
        {
            var get = container[probe]?["httpGet"] ?? throw new Xunit.Sdk.XunitException($"{overlay}: the gateway has no HTTP {probe}");
            Assert.Equal(path, (string?)get["path"]);
            Assert.Equal("http", (string?)get["port"]);
        }

        Assert.Contains("http", ports.Keys);
        Assert.NotNull(container["lifecycle"]?["preStop"]);
        Assert.True((int)PodSpec(gateway)["terminationGracePeriodSeconds"]! >= 30);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task ServicePortsContainerPortsAndTheBrokersPortSettingsAgree(string overlay)
    {
        var manifests = await RenderAsync(overlay);
        var gateway = manifests.Single("Deployment", "broker-gateway");
        var containerPorts = Ports(Container(gateway, "gateway"));
        var settings = Settings(manifests, gateway, "gateway");
        var service = manifests.Single("Service", "broker-gateway");
        var servicePorts = service["spec"]!["ports"]!.AsArray().Select(p => p!.AsObject()).ToList();

        // Each listener the gateway opens has its container port, and each container port is a listener that is on.
        var listeners = new Dictionary<string, string> { ["mqtt"] = "Mqtt", ["mqtt-tls"] = "MqttTls", ["http"] = "Http", ["https"] = "Https", ["metrics"] = "Metrics" };
        foreach (var (portName, key) in listeners)
        {
            var configured = int.Parse(settings[$"Broker__Ports__{key}"], System.Globalization.CultureInfo.InvariantCulture);
            if (configured == 0)
            {
                Assert.DoesNotContain(portName, containerPorts.Keys);
            }
            else
            {
                Assert.Equal(configured, containerPorts[portName]);
            }
        }

        // The Service offers the well-known ports, each on a container port that exists.
        var wellKnown = new Dictionary<string, int> { ["mqtt"] = 1883, ["mqtt-tls"] = 8883, ["http"] = 80, ["https"] = 443 };
        foreach (var port in servicePorts)
        {
            var target = (string)port["targetPort"]!;
            Assert.Contains(target, containerPorts.Keys);
            Assert.Equal(wellKnown[target], (int)port["port"]!);
        }

        // Every listener but the metrics one is offered by the Service; Prometheus scrapes the pods, where the annotations say.
        Assert.Equal(containerPorts.Keys.Where(name => name != "metrics").Order(), servicePorts.Select(p => (string)p["targetPort"]!).Order());
        var annotations = gateway["spec"]!["template"]!["metadata"]!["annotations"]!;
        Assert.Equal($"{containerPorts["metrics"]}", (string?)annotations["prometheus.io/port"]);
        Assert.Equal("/metrics", (string?)annotations["prometheus.io/path"]);
        Assert.Equal(Labels(gateway), service["spec"]!["selector"]!.AsObject().ToDictionary(e => e.Key, e => (string)e.Value!));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task TheGatewayScalesAndNoDisruptionTakesAwayTheLastSilo(string overlay)
    {
        var manifests = await RenderAsync(overlay);
        var gateway = manifests.Single("Deployment", "broker-gateway");
        var silo = manifests.Single("Deployment", "broker-silo");
        var autoscaler = manifests.Single("HorizontalPodAutoscaler", "broker-gateway")["spec"]!;

        Assert.Equal("Deployment", (string?)autoscaler["scaleTargetRef"]!["kind"]);
        Assert.Equal("broker-gateway", (string?)autoscaler["scaleTargetRef"]!["name"]);
        Assert.InRange((int)autoscaler["minReplicas"]!, 2, (int)autoscaler["maxReplicas"]! - 1);
        Assert.NotNull(Container(gateway, "gateway")["resources"]?["requests"]?["cpu"]);

        var rolling = silo["spec"]!["strategy"]!["rollingUpdate"]!;
        Assert.Equal(0, (int)rolling["maxUnavailable"]!);
        Assert.True((int)silo["spec"]!["replicas"]! >= 2);
        Assert.True((int)PodSpec(silo)["terminationGracePeriodSeconds"]! >= 60);
        foreach (var workload in new[] { gateway, silo })
        {
            var budget = manifests.Single("PodDisruptionBudget", Name(workload))["spec"]!;
            Assert.Equal(Labels(workload), budget["selector"]!["matchLabels"]!.AsObject().ToDictionary(e => e.Key, e => (string)e.Value!));
        }

        Assert.Equal(1, (int)manifests.Single("PodDisruptionBudget", "broker-silo")["spec"]!["minAvailable"]!);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task SilosAdvertiseTheirPodsAddressAndNameAndAreProbed(string overlay)
    {
        var silo = Container((await RenderAsync(overlay)).Single("Deployment", "broker-silo"), "silo");
        var fields = silo["env"]!.AsArray().Where(e => e!["valueFrom"]?["fieldRef"] is not null)
            .ToDictionary(e => (string)e!["name"]!, e => (string)e!["valueFrom"]!["fieldRef"]!["fieldPath"]!);

        Assert.Equal("status.podIP", fields["Broker__Silo__Address"]);
        Assert.Equal("metadata.name", fields["Broker__Silo__Name"]);
        Assert.NotNull(silo["readinessProbe"]);
        Assert.NotNull(silo["livenessProbe"]);
        Assert.Equal(["orleans-client", "silo"], Ports(silo).Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task SecretsStayOutOfConfigMapsAndEveryReferencedSecretExists(string overlay)
    {
        var manifests = await RenderAsync(overlay);
        foreach (var configMap in manifests.OfKind("ConfigMap"))
        {
            foreach (var (key, value) in Data(configMap))
            {
                Assert.False(SecretKey().IsMatch(key), $"{overlay}: ConfigMap {Name(configMap)} holds the secret setting {key}");
                Assert.DoesNotContain("password=", value, StringComparison.OrdinalIgnoreCase);
            }
        }

        var rendered = manifests.OfKind("Secret").Select(s => Base(Name(s))).Concat(ProvidedSecrets[overlay]).ToHashSet();
        foreach (var workload in manifests.OfKind("Deployment").Concat(manifests.OfKind("StatefulSet")))
        {
            var spec = PodSpec(workload);
            Assert.False((bool?)spec["automountServiceAccountToken"] ?? true, $"{overlay}: {Name(workload)} mounts a service account token");
            Assert.True((bool?)spec["securityContext"]?["runAsNonRoot"] ?? false, $"{overlay}: {Name(workload)} may run as root");
            foreach (var (secret, optional) in SecretsOf(spec))
            {
                Assert.True(optional || rendered.Contains(Base(secret)), $"{overlay}: {Name(workload)} needs the Secret {secret}, which is neither rendered nor provided");
            }

            foreach (var container in spec["containers"]!.AsArray())
            {
                Assert.NotNull(container!["resources"]?["requests"]);
            }
        }
    }

    /// <summary>What a container's environment holds: its ConfigMaps' data and its literal variables.</summary>
    internal static Dictionary<string, string> Settings(RenderedManifests manifests, JsonObject workload, string container)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var spec = Container(workload, container);
        foreach (var source in spec["envFrom"]?.AsArray() ?? [])
        {
            if (source!["configMapRef"]?["name"] is { } name)
            {
                foreach (var (key, value) in Data(manifests.Single("ConfigMap", (string)name!)))
                {
                    settings[key] = value;
                }
            }
        }

        foreach (var variable in spec["env"]?.AsArray() ?? [])
        {
            if (variable!["value"] is { } value)
            {
                settings[(string)variable["name"]!] = (string)value!;
            }
        }

        return settings;
    }

    private static Dictionary<string, string> Labels(JsonObject workload) =>
        workload["spec"]!["selector"]!["matchLabels"]!.AsObject().ToDictionary(e => e.Key, e => (string)e.Value!);

    /// <summary>The Secrets a pod refers to (variables, variable sources, volumes), with whether each may be missing.</summary>
    private static IEnumerable<(string Name, bool Optional)> SecretsOf(JsonObject podSpec)
    {
        foreach (var container in podSpec["containers"]!.AsArray())
        {
            foreach (var variable in container!["env"]?.AsArray() ?? [])
            {
                if (variable!["valueFrom"]?["secretKeyRef"] is { } reference)
                {
                    yield return ((string)reference["name"]!, (bool?)reference["optional"] ?? false);
                }
            }

            foreach (var source in container["envFrom"]?.AsArray() ?? [])
            {
                if (source!["secretRef"] is { } reference)
                {
                    yield return ((string)reference["name"]!, (bool?)reference["optional"] ?? false);
                }
            }
        }

        foreach (var volume in podSpec["volumes"]?.AsArray() ?? [])
        {
            if (volume!["secret"] is { } secret)
            {
                yield return ((string)secret["secretName"]!, (bool?)secret["optional"] ?? false);
            }
        }
    }

    /// <summary>A generated Secret's name without kustomize's hash suffix.</summary>
    private static string Base(string name) => HashSuffix().Replace(name, "");

    [GeneratedRegex("-[a-z0-9]{10}$")]
    private static partial Regex HashSuffix();

    /// <summary>Settings that hold secrets: the database connection, token secrets, the admin key, TLS passwords.</summary>
    [GeneratedRegex(@"(__Database$|__Secret$|__Admin__Key$|__Password$)")]
    private static partial Regex SecretKey();
}
