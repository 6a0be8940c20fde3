using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Core.Tls;

/// <summary>
/// The certificates of a <c>ca_file</c> (PEM, one or more), cached per file and reloaded when the file
/// changes, so an upstream connect does not parse the bundle every time and a rotated bundle is picked up; and the
/// one rule for trusting a server through them besides the system store (OIDC issuers, Azure Monitor endpoints).
/// </summary>
internal static class TrustedRoots
{
    private static readonly ConcurrentDictionary<string, (DateTime Written, X509Certificate2Collection Roots)> Cache =
        new(StringComparer.Ordinal);

    public static X509Certificate2Collection Load(string caFile)
    {
        var path = Path.GetFullPath(caFile);
        var written = File.GetLastWriteTimeUtc(path);
        if (Cache.TryGetValue(path, out var cached) && cached.Written == written)
            return cached.Roots;

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (CryptographicException e)
        {
            throw new CryptographicException($"ca_file {path}: not a PEM certificate bundle ({e.Message})", e);
        }
        if (roots.Count == 0)
            throw new CryptographicException($"ca_file {path}: no certificate in it");
        Cache[path] = (written, roots);
        return roots;
    }

    /// <summary>
    /// A TLS validation callback's verdict with <paramref name="roots"/> trusted besides the system store: a chain
    /// that failed only because its root is unknown is rebuilt against them. They never excuse a host-name mismatch
    /// or a missing certificate. No revocation check: private CAs rarely publish lists the gateway can reach; the
    /// root is pinned instead.
    /// </summary>
    public static bool Accept(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (errors == SslPolicyErrors.None)
            return true;
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
            return false;

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        if (certificate is X509Certificate2 leaf)
            return chain.Build(leaf);
        using var loaded = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(loaded);
    }
}
