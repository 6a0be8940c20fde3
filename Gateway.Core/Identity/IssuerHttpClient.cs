using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Core.Identity;

/// <summary>
/// The HTTP client that fetches an issuer's discovery document and JWKS: bounded in time and size, no
/// redirects, and optionally trusting one extra root (<c>ca_file</c>) besides the system store, for private
/// issuers. The extra root never excuses a host-name mismatch.
/// </summary>
internal static class IssuerHttpClient
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private const long MaxDocumentBytes = 1024 * 1024;

    /// <exception cref="InvalidOperationException">The ca_file cannot be read or holds no certificate.</exception>
    public static HttpClient Create(string? caFile)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
        };
        if (caFile is not null)
        {
            var roots = LoadRoots(caFile);
            handler.SslOptions.RemoteCertificateValidationCallback =
                (_, certificate, chain, errors) => IsTrusted(certificate, chain, errors, roots);
        }
        return new HttpClient(handler) { Timeout = RequestTimeout, MaxResponseContentBufferSize = MaxDocumentBytes };
    }

    private static X509Certificate2Collection LoadRoots(string caFile)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidOperationException($"cannot read ca_file {caFile}: {e.Message}", e);
        }
        return roots.Count > 0 ? roots : throw new InvalidOperationException($"ca_file {caFile} holds no PEM certificate");
    }

    private static bool IsTrusted(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (errors == SslPolicyErrors.None)
            return true;
        // Only an unknown root may be excused by ca_file; a wrong host name or a missing certificate never is.
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
