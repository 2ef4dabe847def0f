namespace Broker.Gateway.Options;

/// <summary>
/// The server certificate of the TLS listeners (section <c>Broker:Tls</c>): a PEM certificate with its PEM key, or
/// a PKCS#12 (PFX) file; <see cref="Password"/> opens the PFX or an encrypted PEM key. Without one, development
/// mode makes its own certificate in the data folder and a cluster gateway leaves its TLS listeners off.
/// </summary>
public sealed class TlsOptions
{
    /// <summary>Path of a PEM certificate (optionally followed by its chain and key) or of a PFX file.</summary>
    public string? Certificate { get; set; }

    /// <summary>Path of the PEM private key, when it is not in the certificate file.</summary>
    public string? Key { get; set; }

    public string? Password { get; set; }
}
