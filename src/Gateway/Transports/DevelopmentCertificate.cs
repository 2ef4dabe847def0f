using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Broker.Gateway.Transports;

/// <summary>
/// The self-signed certificate of development mode: made on the first start (localhost, 127.0.0.1 and ::1) and
/// kept in the data folder as PEM, so that clients can trust it with e.g. <c>mosquitto_sub --cafile</c> and keep
/// trusting it on later starts. The files appear together or not at all: they are written to a fresh folder that
/// is then renamed into place, so gateways starting at the same time end up using one and the same certificate.
/// </summary>
internal static class DevelopmentCertificate
{
    public const string FolderName = "tls";
    public const string CertificateFileName = "broker-dev-cert.pem";
    public const string KeyFileName = "broker-dev-key.pem";

    private static readonly TimeSpan Validity = TimeSpan.FromDays(825);

    public static ServerCertificate LoadOrCreate(string dataPath)
    {
        var folder = Path.Combine(dataPath, FolderName);
        if (TryLoad(folder) is { } existing)
        {
            return existing with { Origin = ServerCertificateOrigin.DevelopmentReused };
        }

        if (Directory.Exists(folder))
        {
            // Expired or unreadable: make a new one in its place.
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(dataPath);
        var staging = Path.Combine(dataPath, $"{FolderName}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        try
        {
            Write(staging);
            Directory.Move(staging, folder);
            return Load(folder) with { Origin = ServerCertificateOrigin.DevelopmentCreated };
        }
        catch (IOException) when (TryLoad(folder) is { } madeByAnother)
        {
            // Another gateway on this machine made one first; use it.
            return madeByAnother with { Origin = ServerCertificateOrigin.DevelopmentReused };
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static ServerCertificate? TryLoad(string folder)
    {
        if (!File.Exists(Path.Combine(folder, CertificateFileName)) || !File.Exists(Path.Combine(folder, KeyFileName)))
        {
            return null;
        }

        try
        {
            var certificate = Load(folder);
            return certificate.Certificate.NotAfter > DateTime.Now.AddDays(1) ? certificate : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static ServerCertificate Load(string folder)
    {
        var path = Path.Combine(folder, CertificateFileName);
        var certificate = X509Certificate2.CreateFromPemFile(path, Path.Combine(folder, KeyFileName));
        return new ServerCertificate(certificate, [], path, ServerCertificateOrigin.DevelopmentCreated);
    }

    private static void Write(string folder)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost, O=Broker development", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());

        // The certificate is its own issuer, so clients that are given it as their CA file must accept it as one.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));

        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.Add(Validity));
        File.WriteAllText(Path.Combine(folder, CertificateFileName), certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(folder, KeyFileName), key.ExportPkcs8PrivateKeyPem() + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(folder, KeyFileName), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
