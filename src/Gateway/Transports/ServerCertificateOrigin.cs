namespace Broker.Gateway.Transports;

/// <summary>Where the TLS listeners' certificate came from.</summary>
public enum ServerCertificateOrigin
{
    /// <summary>From <c>Broker:Tls</c>.</summary>
    Configured,

    /// <summary>Development mode made it on this start.</summary>
    DevelopmentCreated,

    /// <summary>Development mode made it on an earlier start and found it in the data folder.</summary>
    DevelopmentReused,
}
