using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Broker.TestHost;

/// <summary>Certificate validation that trusts exactly one self-signed certificate, as <c>--cafile</c> does.</summary>
public static class TlsTrust
{
    public static bool IsTrusted(X509Certificate2 trusted, X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var certificate = new X509Certificate2(presented);
        return chain.Build(certificate);
    }
}
