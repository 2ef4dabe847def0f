using System.Diagnostics;
using System.Text.Json.Nodes;
using Broker.TestHost;

namespace Broker.Deploy.Tests;

/// <summary>
/// One kustomize overlay of <c>deploy/k8s</c> as <c>kubectl kustomize</c> renders it, validated offline against the
/// Kubernetes schemas by <c>js/validate-manifests.mjs</c> (kubernetes-models), with lookups for the checks.
/// </summary>
internal sealed class RenderedManifests
{
    private RenderedManifests(string overlay, JsonArray objects) => (Overlay, Objects) = (overlay, [.. objects.Select(node => node!.AsObject())]);

    public string Overlay { get; }

    public IReadOnlyList<JsonObject> Objects { get; }

    public static string Root => Path.Combine(BrokerProcess.RepositoryRoot(), "deploy", "k8s");

    /// <summary>Renders and validates an overlay; throws with kubectl's or the validator's reasons when either fails.</summary>
    public static async Task<RenderedManifests> RenderAsync(string overlay)
    {
        var rendered = Path.Combine(Path.GetTempPath(), $"broker-{overlay}-{Guid.NewGuid():N}.yaml");
        try
        {
            await File.WriteAllTextAsync(rendered, await RunAsync("kubectl", ["kustomize", Path.Combine(Root, "overlays", overlay)], "kubectl (kubectl kustomize renders the overlays)"));
            var validator = Path.Combine(BrokerProcess.RepositoryRoot(), "tests", "Deploy.Tests", "js", "validate-manifests.mjs");
            var json = await RunAsync("node", [validator, rendered, overlay], "node (run npm ci in tests/Deploy.Tests/js)");
            return new RenderedManifests(overlay, JsonNode.Parse(json)!.AsArray());
        }
        finally
        {
            File.Delete(rendered);
        }
    }

    /// <summary>"Kind name" of every object, in the rendered order.</summary>
    public IEnumerable<string> Names => Objects.Select(o => $"{o["kind"]} {Name(o)}");

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public JsonObject Single(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => Name(o) == name) ?? throw new InvalidOperationException($"{Overlay}: no {kind} {name} in {string.Join(", ", Names)}");

    /// <summary>A generated object (ConfigMap, Secret) by the name before kustomize's hash suffix.</summary>
    public JsonObject Generated(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => Name(o).StartsWith($"{name}-", StringComparison.Ordinal) || Name(o) == name)
        ?? throw new InvalidOperationException($"{Overlay}: no {kind} {name} in {string.Join(", ", Names)}");

    public static string Name(JsonObject o) => (string)o["metadata"]!["name"]!;

    /// <summary>The pod template's spec of a workload (Deployment, StatefulSet).</summary>
    public static JsonObject PodSpec(JsonObject workload) => workload["spec"]!["template"]!["spec"]!.AsObject();

    public static JsonObject Container(JsonObject workload, string name) =>
        PodSpec(workload)["containers"]!.AsArray().Select(c => c!.AsObject()).Single(c => (string?)c["name"] == name);

    /// <summary>A container's ports by name.</summary>
    public static Dictionary<string, int> Ports(JsonObject container) =>
        container["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (int)p!["containerPort"]!);

    /// <summary>The data of a ConfigMap, or of a Secret decoded.</summary>
    public static Dictionary<string, string> Data(JsonObject configMapOrSecret)
    {
        var secret = (string?)configMapOrSecret["kind"] == "Secret";
        return (configMapOrSecret["data"]?.AsObject() ?? []).ToDictionary(
            entry => entry.Key,
            entry => secret ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)entry.Value!)) : (string)entry.Value!);
    }

    private static async Task<string> RunAsync(string program, string[] arguments, string what)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"{program} could not be started: install {what}", exception);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return process.ExitCode == 0 ? await output : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed:\n{await error}");
        }
    }
}
