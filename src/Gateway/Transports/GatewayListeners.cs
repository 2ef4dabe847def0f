using System.Security.Authentication;
using Broker.Gateway.Connections;
using Broker.Gateway.Options;
using Broker.Grains.Configuration;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Broker.Gateway.Transports;

/// <summary>
/// The gateway's four listeners, all Kestrel: MQTT over TCP and over TLS (connection handlers), and the HTTP and
/// HTTPS ports, where MQTT over WebSocket shares the port with the HTTP interface. Opening them loads the TLS
/// certificate and binds every port before the host starts, so the start-up log states the real ports. Without
/// a certificate a cluster gateway keeps its TLS listeners off (TLS may end at an ingress in front of it) and says
/// so; development mode makes its own certificate.
/// </summary>
internal sealed partial class GatewayListeners : IDisposable
{
    private static readonly SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    private readonly ListenSockets _sockets;
    private readonly Dictionary<ListenerKind, BoundPort> _ports;

    private GatewayListeners(BrokerMode mode, ServerCertificate? certificate, ListenSockets sockets, Dictionary<ListenerKind, BoundPort> ports, IReadOnlyList<ListenerKind> tlsOff)
    {
        Mode = mode;
        Certificate = certificate;
        _sockets = sockets;
        _ports = ports;
        TlsOffWithoutCertificate = tlsOff;
    }

    public BrokerMode Mode { get; }

    /// <summary>The TLS listeners' certificate; null when no listener needs one or none could be had.</summary>
    public ServerCertificate? Certificate { get; }

    /// <summary>The pre-bound sockets, for Kestrel's socket transport.</summary>
    public ListenSockets Sockets => _sockets;

    /// <summary>TLS listeners a cluster gateway left off because no certificate is configured.</summary>
    public IReadOnlyList<ListenerKind> TlsOffWithoutCertificate { get; }

    public IEnumerable<BoundPort> Ports => _ports.Values;

    /// <summary>The port a listener uses; 0 when it is off.</summary>
    public int PortOf(ListenerKind listener) => _ports.TryGetValue(listener, out var port) ? port.Actual : 0;

    public static GatewayListeners Open(BrokerMode mode, PortOptions ports, TlsOptions tls, string dataPath)
    {
        var requested = new Dictionary<ListenerKind, int>
        {
            [ListenerKind.Mqtt] = ports.MqttOrDefault,
            [ListenerKind.MqttTls] = ports.MqttTlsOrDefault,
            [ListenerKind.Http] = ports.HttpOrDefault(mode),
            [ListenerKind.Https] = ports.HttpsOrDefault(mode),
            [ListenerKind.Metrics] = ports.Metrics ?? 0,
        };
        foreach (var (listener, port) in requested)
        {
            if (port is < 0 or > 65535)
            {
                throw new InvalidOperationException($"Broker:Ports:{listener} = {port} is not a port; use 1 to 65535, or 0 to switch the listener off.");
            }
        }

        var tlsListeners = new[] { ListenerKind.MqttTls, ListenerKind.Https }.Where(listener => requested[listener] > 0).ToList();
        ServerCertificate? certificate = null;
        List<ListenerKind> tlsOff = [];
        if (tlsListeners.Count > 0)
        {
            certificate = !string.IsNullOrEmpty(tls.Certificate) ? ConfiguredCertificate.Load(tls)
                : mode == BrokerMode.Development ? DevelopmentCertificate.LoadOrCreate(dataPath)
                : null;
            if (certificate is null)
            {
                tlsOff = tlsListeners;
                tlsOff.ForEach(listener => requested[listener] = 0);
            }
        }

        var sockets = new ListenSockets();
        var bound = new Dictionary<ListenerKind, BoundPort>();
        try
        {
            foreach (var (listener, port) in requested.Where(entry => entry.Value > 0))
            {
                var (socket, boundPort) = ListenSocketBinder.Bind(listener, port, mode);
                sockets.Add(boundPort.Actual, socket);
                bound.Add(listener, boundPort);
            }
        }
        catch
        {
            sockets.Dispose();
            throw;
        }

        return new GatewayListeners(mode, certificate, sockets, bound, tlsOff);
    }

    public void Configure(KestrelServerOptions kestrel)
    {
        if (_ports.TryGetValue(ListenerKind.Mqtt, out var mqtt))
        {
            kestrel.ListenAnyIP(mqtt.Actual, listen => listen.UseConnectionHandler<MqttConnectionHandler>());
        }

        if (_ports.TryGetValue(ListenerKind.MqttTls, out var mqttTls))
        {
            kestrel.ListenAnyIP(mqttTls.Actual, listen =>
            {
                // Not HTTP: no ALPN protocols are offered, so a client asking for e.g. "mqtt" is not refused.
                listen.Protocols = HttpProtocols.None;
                listen.UseHttps(HttpsOptions());
                listen.Use(TlsConnectionTransport.Wrap);
                listen.UseConnectionHandler<MqttConnectionHandler>();
            });
        }

        if (_ports.TryGetValue(ListenerKind.Http, out var http))
        {
            kestrel.ListenAnyIP(http.Actual);
        }

        if (_ports.TryGetValue(ListenerKind.Https, out var https))
        {
            kestrel.ListenAnyIP(https.Actual, listen => listen.UseHttps(HttpsOptions()));
        }

        if (_ports.TryGetValue(ListenerKind.Metrics, out var metrics))
        {
            kestrel.ListenAnyIP(metrics.Actual);
        }
    }

    /// <summary>Logs what a person starting the broker needs: moved ports, listeners left off, the certificate to trust.</summary>
    public void LogOpened(ILogger logger)
    {
        foreach (var port in _ports.Values.Where(port => port.MovedBecause is not null))
        {
            LogPortMoved(logger, port.Listener, port.Requested, port.MovedBecause!, port.Actual);
        }

        foreach (var listener in TlsOffWithoutCertificate)
        {
            LogTlsOff(logger, listener);
        }

        if (Certificate is { } certificate)
        {
            switch (certificate.Origin)
            {
                case ServerCertificateOrigin.DevelopmentCreated:
                    LogCertificateCreated(logger, certificate.Path, certificate.Fingerprint);
                    break;
                case ServerCertificateOrigin.DevelopmentReused:
                    LogCertificateReused(logger, certificate.Path, certificate.Fingerprint);
                    break;
                default:
                    LogCertificateConfigured(logger, certificate.Path, certificate.Certificate.Subject, certificate.Fingerprint);
                    break;
            }
        }
    }

    /// <summary>The start-up line: the port of every listener, as bound.</summary>
    public void LogListening(ILogger logger)
    {
        var (mqtt, mqttTls) = (PortOf(ListenerKind.Mqtt), PortOf(ListenerKind.MqttTls));
        var (http, https, metrics) = (PortOf(ListenerKind.Http), PortOf(ListenerKind.Https), PortOf(ListenerKind.Metrics));
        LogListening(logger, Mode, mqtt, mqttTls, http, https, metrics);
    }

    public void Dispose()
    {
        _sockets.Dispose();
        Certificate?.Certificate.Dispose();
    }

    private HttpsConnectionAdapterOptions HttpsOptions() => new()
    {
        ServerCertificate = Certificate!.Certificate,
        ServerCertificateChain = Certificate.Chain,
        SslProtocols = Protocols,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Broker gateway ({Mode} mode) listening: MQTT on port {MqttPort}, MQTT over TLS on port {MqttTlsPort}, HTTP and MQTT over WebSocket on port {HttpPort}, HTTPS and MQTT over secure WebSocket on port {HttpsPort}, metrics on port {MetricsPort} (0: off)")]
    private static partial void LogListening(ILogger logger, BrokerMode mode, int mqttPort, int mqttTlsPort, int httpPort, int httpsPort, int metricsPort);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Port {Requested} for the {Listener} listener is not available ({Reason}); it uses port {Actual} instead")]
    private static partial void LogPortMoved(ILogger logger, ListenerKind listener, int requested, string reason, int actual);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Listener} listener is off: no certificate is configured (Broker:Tls:Certificate); set one, or set its port to 0 to silence this")]
    private static partial void LogTlsOff(ILogger logger, ListenerKind listener);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created a self-signed development certificate {Path} (SHA-256 {Fingerprint}); clients trust it with e.g. mosquitto_sub --cafile {Path}")]
    private static partial void LogCertificateCreated(ILogger logger, string path, string fingerprint);

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS uses the development certificate {Path} (SHA-256 {Fingerprint}); clients trust it with e.g. mosquitto_sub --cafile {Path}")]
    private static partial void LogCertificateReused(ILogger logger, string path, string fingerprint);

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS uses the certificate {Path} ({Subject}, SHA-256 {Fingerprint})")]
    private static partial void LogCertificateConfigured(ILogger logger, string path, string subject, string fingerprint);
}
