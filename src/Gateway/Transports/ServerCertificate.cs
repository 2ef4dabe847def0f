using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Broker.Gateway.Transports;

/// <summary>The certificate the TLS listeners present, with its chain and the file it came from.</summary>
public sealed record ServerCertificate(X509Certificate2 Certificate, X509Certificate2Collection Chain, string Path, ServerCertificateOrigin Origin)
{
    /// <summary>The SHA-256 fingerprint as OpenSSL prints it (<c>AB:CD:…</c>).</summary>
    public string Fingerprint => Convert.ToHexString(Certificate.GetCertHash(HashAlgorithmName.SHA256))
        .Chunk(2)
        .Select(pair => new string(pair))
        .Aggregate((left, right) => $"{left}:{right}");
}
