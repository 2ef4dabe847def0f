using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Broker.Gateway.Options;

namespace Broker.Gateway.Transports;

/// <summary>
/// Loads the certificate named by <c>Broker:Tls</c>: a PFX file (recognised by its content, not its name) or a PEM
/// certificate with its key in <c>Broker:Tls:Key</c> or in the same file. Certificates after the first in a PEM
/// file, and those without a key in a PFX, are sent as the chain. Anything wrong stops the start with the reason.
/// </summary>
internal static class ConfiguredCertificate
{
    public static ServerCertificate Load(TlsOptions tls)
    {
        var path = tls.Certificate ?? throw new ArgumentException("no certificate configured", nameof(tls));
        try
        {
            var certificate = IsPem(path) ? LoadPem(path, tls) : LoadPfx(path, tls.Password);
            if (!certificate.Certificate.HasPrivateKey)
            {
                throw new InvalidOperationException("the certificate has no private key (set Broker:Tls:Key)");
            }

            return certificate;
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"Broker:Tls:Certificate '{path}' cannot be used: {exception.Message}", exception);
        }
    }

    private static bool IsPem(string path)
    {
        using var reader = new StreamReader(path);
        var start = new char[256];
        var read = reader.ReadBlock(start);
        return new string(start, 0, read).Contains("-----BEGIN", StringComparison.Ordinal);
    }

    private static ServerCertificate LoadPem(string path, TlsOptions tls)
    {
        var keyPath = tls.Key ?? path;
        var certificate = string.IsNullOrEmpty(tls.Password)
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, tls.Password, keyPath);
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(path);
        var chain = new X509Certificate2Collection();
        foreach (var other in all.Skip(1))
        {
            chain.Add(other);
        }

        return new ServerCertificate(certificate, chain, path, ServerCertificateOrigin.Configured);
    }

    private static ServerCertificate LoadPfx(string path, string? password)
    {
        var all = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, password);
        var leaf = all.FirstOrDefault(certificate => certificate.HasPrivateKey)
            ?? throw new InvalidOperationException("the PFX file holds no certificate with a private key");
        var chain = new X509Certificate2Collection();
        foreach (var other in all.Where(certificate => !ReferenceEquals(certificate, leaf)))
        {
            chain.Add(other);
        }

        return new ServerCertificate(leaf, chain, path, ServerCertificateOrigin.Configured);
    }
}
