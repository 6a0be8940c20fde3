using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using Gateway.Core.Tls;

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
                (_, certificate, chain, errors) => TrustedRoots.Accept(certificate, chain, errors, roots);
        }
        return new HttpClient(handler) { Timeout = RequestTimeout, MaxResponseContentBufferSize = MaxDocumentBytes };
    }

    private static X509Certificate2Collection LoadRoots(string caFile)
    {
        try
        {
            return TrustedRoots.Load(caFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidOperationException($"cannot read ca_file {caFile}: {e.Message}", e);
        }
    }
}
