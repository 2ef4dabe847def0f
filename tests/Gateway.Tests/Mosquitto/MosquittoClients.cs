using Broker.Gateway.Tests.Infrastructure;

namespace Broker.Gateway.Tests.Mosquitto;

/// <summary>Runs mosquitto_pub and mosquitto_sub against the test broker, with its address, a protocol version and credentials.</summary>
public sealed class MosquittoClients(BrokerFixture broker, string version = "mqttv311", string? username = BrokerFixture.Instance, string? password = BrokerFixture.Secret)
{
    public MosquittoClients WithVersion(string newVersion) => new(broker, newVersion, username, password);

    public MosquittoClients WithCredentials(string? newUsername, string? newPassword) => new(broker, version, newUsername, newPassword);

    /// <summary>Runs mosquitto_pub to its end.</summary>
    public async Task<MosquittoResult> PublishAsync(params string[] arguments)
    {
        await using var process = MosquittoProcess.Start("mosquitto_pub", [.. Connection(), .. arguments]);
        return await process.WaitForExitAsync();
    }

    /// <summary>Runs mosquitto_pub and requires it to succeed.</summary>
    public async Task PublishOkAsync(params string[] arguments)
    {
        var result = await PublishAsync(arguments);
        Assert.True(result.ExitCode == 0, $"mosquitto_pub exited with {result.ExitCode}: {result.StandardError}");
    }

    /// <summary>Starts mosquitto_sub with debug output and a 30 s <c>-W</c> guard (unless given one), and returns once its SUBACK arrived.</summary>
    public async Task<MosquittoProcess> SubscribeAsync(params string[] arguments)
    {
        var process = StartSubscriber(arguments);
        await process.WaitUntilSubscribedAsync();
        return process;
    }

    public MosquittoProcess StartSubscriber(params string[] arguments) =>
        MosquittoProcess.Start("mosquitto_sub", [.. Connection(), "-d", .. arguments, .. (arguments.Contains("-W") ? Array.Empty<string>() : ["-W", "30"])]);

    private List<string> Connection()
    {
        List<string> arguments = ["-h", broker.Host, "-p", broker.MqttPort.ToString(), "-V", version];
        if (username is not null)
        {
            arguments.AddRange(["-u", username]);
        }

        if (password is not null)
        {
            arguments.AddRange(["-P", password]);
        }

        return arguments;
    }
}
