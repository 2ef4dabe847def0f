using Broker.Grains;

namespace Broker.Gateway.Routing;

/// <summary>How a connection finds its instance: the one door from the connection engine into the cluster.</summary>
internal interface IInstanceDirectory
{
    /// <summary>
    /// Authenticates a client with an instance and registers it there, taking over an older connection with the
    /// same client id. Returns null when the credentials are refused; throws <see cref="InstanceUnavailableException"/>
    /// when the instance cannot be reached.
    /// </summary>
    Task<IInstanceSession?> JoinAsync(IConnectionSink connection, string instance, string clientId, string? secret, PublishedMessage? will);

    /// <summary>
    /// Shows a rule broken by a client that never joined as an <c>errored</c> event of the instance, only when its
    /// credentials would have let it in, so that strangers cannot write into an instance's events. Never throws.
    /// </summary>
    Task ReportRefusedAsync(string instance, string? secret, string code, string? topic);
}
