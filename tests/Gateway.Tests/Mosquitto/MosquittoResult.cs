namespace Broker.Gateway.Tests.Mosquitto;

/// <summary>How a mosquitto client process ended and what it printed.</summary>
public sealed record MosquittoResult(int ExitCode, IReadOnlyList<string> Lines, string StandardError)
{
    /// <summary>The printed messages: the output without the <c>-d</c> debug lines.</summary>
    public IReadOnlyList<string> Messages =>
        [.. Lines.Where(line => !line.StartsWith("Client ", StringComparison.Ordinal) && !line.StartsWith("Subscribed (mid", StringComparison.Ordinal))];

    /// <summary>The debug lines of PUBLISH packets received, e.g. <c>received PUBLISH (d0, q1, r0, m1, 'a/b', ... (5 bytes))</c>.</summary>
    public IReadOnlyList<string> ReceivedPublishes =>
        [.. Lines.Where(line => line.Contains(" received PUBLISH ", StringComparison.Ordinal)).Select(line => line[line.IndexOf("received", StringComparison.Ordinal)..])];
}
