using System.Runtime.CompilerServices;

namespace Broker.Gateway.Tests.Transports;

/// <summary>
/// Where the Node test scripts are and what they need. A missing tool fails the test with what to install (CI
/// installs them all), instead of skipping it silently.
/// </summary>
public static class NodeTools
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>The <c>js</c> folder beside this source file: package.json, the scripts, node_modules after <c>npm ci</c>.</summary>
    public static string ScriptFolder { get; } = Path.Combine(Path.GetDirectoryName(SourceFile())!, "js");

    /// <summary>The path of a script in <see cref="ScriptFolder"/>, after checking that node and the packages are there.</summary>
    public static string Script(string name)
    {
        Assert.True(IsOnPath("node"), "node is not installed (CI installs Node.js 20; e.g. apt-get install nodejs npm)");
        Assert.True(
            Directory.Exists(Path.Combine(ScriptFolder, "node_modules", "mqtt")),
            $"MQTT.js is not installed: run 'npm ci' in {ScriptFolder} (.ci/run does)");
        return Path.Combine(ScriptFolder, name);
    }

    public static void RequireChromium() =>
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (.ci/run does)");

    private static bool IsOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, program)));

    private static string SourceFile([CallerFilePath] string path = "") => path;
}
