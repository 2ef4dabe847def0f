using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Broker.Gateway.Transports;

/// <summary>
/// The decrypted duplex pipe of an MQTT over TLS connection, as the MQTT connection gets it: Kestrel's TLS pipe with
/// its output behind a <see cref="CompletionGuardedPipeWriter"/>, so that ending a connection never logs an error.
/// </summary>
internal sealed class TlsConnectionTransport(IDuplexPipe tls) : IDuplexPipe
{
    public PipeReader Input => tls.Input;

    public PipeWriter Output { get; } = new CompletionGuardedPipeWriter(tls.Output);

    /// <summary>Connection middleware that goes after <c>UseHttps</c>, which puts the original transport back afterwards.</summary>
    public static ConnectionDelegate Wrap(ConnectionDelegate next) => connection =>
    {
        connection.Transport = new TlsConnectionTransport(connection.Transport);
        return next(connection);
    };
}
