using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;

namespace Gateway.Host.Azure;

/// <summary>
/// The HTTP transport for an ingestion endpoint reached through a private endpoint or TLS-inspecting proxy whose
/// certificate chains to a private CA (<c>ca_file</c>): the system roots are still trusted, and a chain that fails
/// only because its root is unknown is rebuilt against the configured root. Host-name checks stay on.
/// </summary>
public static class PrivateRootTransport
{
    public static HttpClientTransport Create(string caFile)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile);
        if (roots.Count == 0)
            throw new InvalidOperationException($"ca_file {caFile} contains no PEM certificate");

        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) =>
                certificate is not null && IsTrusted(certificate, chain, errors, roots),
        };
        return new HttpClientTransport(handler);
    }

    internal static bool IsTrusted(X509Certificate2 certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (errors == SslPolicyErrors.None)
            return true;
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors)
            return false; // name mismatch or no certificate: a private root does not excuse those

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        // Private CAs rarely publish revocation lists reachable from the gateway; the root is pinned instead.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        return chain.Build(certificate);
    }
}
