namespace Broker.Bench.Targets;

/// <summary>
/// Starts Eclipse Mosquitto on a free port with a configuration that matches our broker's defaults where they
/// meet: no persistence, TCP_NODELAY, 64 in-flight and 10000 queued QoS 1 messages per client (our
/// Broker:MaxInflightMessages and Broker:MaxQueuedMessages), anonymous clients, and only warnings and errors
/// logged so that 100k connections do not flood the output.
/// </summary>
public static class MosquittoBroker
{
    public const string DefaultPath = "/usr/sbin/mosquitto";

    public static bool IsInstalled => File.Exists(DefaultPath);

    public static string Configuration(int port) => $"""
        listener {port} 127.0.0.1
        allow_anonymous true
        set_tcp_nodelay true
        persistence false
        max_queued_messages 10000
        max_inflight_messages 64
        log_dest stderr
        log_type error
        log_type warning
        connection_messages false

        """;

    public static async Task<RunningBroker> StartAsync(CancellationToken cancellationToken)
    {
        if (!IsInstalled)
        {
            throw new BenchException($"{DefaultPath} is missing: apt-get install -y mosquitto");
        }

        var port = FreePort.Next();
        var configuration = Path.Combine(Path.GetTempPath(), $"bench-mosquitto-{port}.conf");
        await File.WriteAllTextAsync(configuration, Configuration(port), cancellationToken);
        return await RunningBroker.StartAsync("mosquitto", DefaultPath, ["-c", configuration], port, [null], () =>
        {
            File.Delete(configuration);
            return ValueTask.CompletedTask;
        }, cancellationToken);
    }
}
