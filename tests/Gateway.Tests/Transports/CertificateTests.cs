using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Broker.Gateway.Options;
using Broker.Gateway.Transports;
using Broker.Grains.Configuration;

namespace Broker.Gateway.Tests.Transports;

/// <summary>Where the TLS listeners' certificate comes from: configuration (PEM or PFX), or development mode's own.</summary>
public sealed class CertificateTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"broker-certificates-{Guid.NewGuid():N}");

    public CertificateTests() => Directory.CreateDirectory(_folder);

    [Fact]
    public void DevelopmentCertificateIsMadeOnceForLocalhostAndReusedOnTheNextStart()
    {
        string firstFingerprint;
        using (var first = Open(BrokerMode.Development, new TlsOptions()))
        {
            var certificate = first.Certificate!;
            Assert.Equal(ServerCertificateOrigin.DevelopmentCreated, certificate.Origin);
            Assert.Equal(Path.Combine(_folder, "tls", "broker-dev-cert.pem"), certificate.Path);
            var names = certificate.Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            Assert.Equal(["localhost"], names.EnumerateDnsNames());
            Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], names.EnumerateIPAddresses());
            Assert.Equal(
                Convert.ToHexString(SHA256.HashData(certificate.Certificate.RawData)),
                certificate.Fingerprint.Replace(":", "", StringComparison.Ordinal));
            firstFingerprint = certificate.Fingerprint;
        }

        using var second = Open(BrokerMode.Development, new TlsOptions());

        Assert.Equal((ServerCertificateOrigin.DevelopmentReused, firstFingerprint), (second.Certificate!.Origin, second.Certificate.Fingerprint));
    }

    [Fact]
    public void ConfiguredPemCertificateAndKeyAreUsed()
    {
        using var made = MakeCertificate();
        var certificatePath = Path.Combine(_folder, "server.pem");
        var keyPath = Path.Combine(_folder, "server.key");
        File.WriteAllText(certificatePath, made.ExportCertificatePem());
        File.WriteAllText(keyPath, made.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

        using var listeners = Open(BrokerMode.Cluster, new TlsOptions { Certificate = certificatePath, Key = keyPath });

        Assert.Equal((ServerCertificateOrigin.Configured, made.Thumbprint, true), (listeners.Certificate!.Origin, listeners.Certificate.Certificate.Thumbprint, listeners.Certificate.Certificate.HasPrivateKey));
        Assert.NotEqual(0, listeners.PortOf(ListenerKind.MqttTls));
    }

    [Fact]
    public void ConfiguredPfxWithPasswordIsUsed()
    {
        using var made = MakeCertificate();
        var pfxPath = Path.Combine(_folder, "server.pfx");
        File.WriteAllBytes(pfxPath, made.Export(X509ContentType.Pfx, "pa55word"));

        using var listeners = Open(BrokerMode.Cluster, new TlsOptions { Certificate = pfxPath, Password = "pa55word" });

        Assert.Equal((ServerCertificateOrigin.Configured, made.Thumbprint, true), (listeners.Certificate!.Origin, listeners.Certificate.Certificate.Thumbprint, listeners.Certificate.Certificate.HasPrivateKey));
    }

    [Fact]
    public void PfxWithAWrongPasswordStopsTheStartWithTheReason()
    {
        using var made = MakeCertificate();
        var pfxPath = Path.Combine(_folder, "server.pfx");
        File.WriteAllBytes(pfxPath, made.Export(X509ContentType.Pfx, "right"));

        var error = Assert.Throws<InvalidOperationException>(() => Open(BrokerMode.Cluster, new TlsOptions { Certificate = pfxPath, Password = "wrong" }));

        Assert.StartsWith($"Broker:Tls:Certificate '{pfxPath}' cannot be used: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterGatewayWithoutCertificateLeavesItsTlsListenersOff()
    {
        using var listeners = Open(BrokerMode.Cluster, new TlsOptions());

        Assert.Null(listeners.Certificate);
        Assert.Equal([ListenerKind.MqttTls, ListenerKind.Https], listeners.TlsOffWithoutCertificate);
        Assert.Equal((0, 0), (listeners.PortOf(ListenerKind.MqttTls), listeners.PortOf(ListenerKind.Https)));
        Assert.NotEqual(0, listeners.PortOf(ListenerKind.Mqtt));
        Assert.False(Directory.Exists(Path.Combine(_folder, "tls")));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private GatewayListeners Open(BrokerMode mode, TlsOptions tls) => GatewayListeners.Open(
        mode,
        new PortOptions { Mqtt = FreePort.Next(), MqttTls = FreePort.Next(), Http = 0, Https = FreePort.Next() },
        tls,
        _folder);

    private static X509Certificate2 MakeCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=broker.example", key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }
}
