using System.Threading.Channels;
using Broker.Gateway.Routing;
using Broker.Grains;

namespace Broker.Gateway.Tests.Connections;

/// <summary>
/// The cluster as a connection engine test wants it: joins are answered as the test says (accepted, refused, or the
/// instance unavailable), and what the connection asks of its instance is recorded for the test to check.
/// </summary>
internal sealed class FakeInstanceDirectory : IInstanceDirectory
{
    public const string Secret = "secret";

    /// <summary>When it returns a failure for an instance, joining it fails as if no silo answered.</summary>
    public Func<string, Exception?>? Unavailable { get; set; }

    public bool ReadOnly { get; set; }

    public Channel<FakeInstanceSession> Joined { get; } = Channel.CreateUnbounded<FakeInstanceSession>();

    public List<(string Instance, string Code, string? Topic)> RefusedReports { get; } = [];

    public Task<IInstanceSession?> JoinAsync(IConnectionSink connection, string instance, string clientId, string? secret, PublishedMessage? will)
    {
        if (Unavailable?.Invoke(instance) is { } failure)
        {
            throw new InstanceUnavailableException(instance, failure);
        }

        if (secret != Secret)
        {
            return Task.FromResult<IInstanceSession?>(null);
        }

        var session = new FakeInstanceSession(connection, instance, clientId, will, ReadOnly);
        Joined.Writer.TryWrite(session);
        return Task.FromResult<IInstanceSession?>(session);
    }

    public Task ReportRefusedAsync(string instance, string? secret, string code, string? topic)
    {
        lock (RefusedReports)
        {
            RefusedReports.Add((instance, code, topic));
        }

        return Task.CompletedTask;
    }
}
