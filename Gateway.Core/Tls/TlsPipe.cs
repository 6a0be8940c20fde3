using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Gateway.Core.Config;
using Gateway.Core.Sessions;

namespace Gateway.Core.Tls;

/// <summary>
/// TLS over a duplex pipe, both ways: the server side for clients of a listener, the client side for the
/// gateway's own connections to targets. TLS 1.2 and 1.3 only.
/// </summary>
public static class TlsPipe
{
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Plaintext read size; a TLS record carries at most 16 KiB.</summary>
    private const int ReadBufferBytes = 16 * 1024;

    /// <summary>Plaintext gathered per TLS write.</summary>
    private const int WriteBufferBytes = 16 * 1024;

    public static ValueTask<SslStreamPipe> AuthenticateAsServerAsync(
        IDuplexPipe transport, X509Certificate2 certificate, CancellationToken cancellationToken) =>
        AuthenticateAsServerAsync(transport, SslStreamCertificateContext.Create(certificate, null, offline: true), cancellationToken);

    /// <summary>
    /// Runs the server handshake. Prefer this overload with a context built once per listener
    /// (<see cref="TlsCertificates.CreateContext"/>): it holds the chain, so handshakes do not rebuild it.
    /// </summary>
    public static async ValueTask<SslStreamPipe> AuthenticateAsServerAsync(
        IDuplexPipe transport, SslStreamCertificateContext certificate, CancellationToken cancellationToken,
        List<SslApplicationProtocol>? applicationProtocols = null)
    {
        var inner = new DuplexPipeStream(transport) { OffloadReads = true };
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = certificate,
                EnabledSslProtocols = Protocols,
                ClientCertificateRequired = false,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                ApplicationProtocols = applicationProtocols,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        inner.OffloadReads = false;
        return Wrap(ssl);
    }

    /// <summary>
    /// Runs the client handshake toward a target. <see cref="TargetTlsMode.Prefer"/> and
    /// <see cref="TargetTlsMode.Require"/> encrypt without verifying the server (libpq's meaning);
    /// <see cref="TargetTlsMode.VerifyFull"/> requires a chain to the system roots, or to the certificates in
    /// <paramref name="caFile"/> when given, and a certificate name matching <paramref name="host"/>.
    /// </summary>
    /// <exception cref="AuthenticationException">The handshake failed or the server was not trusted.</exception>
    public static async ValueTask<SslStreamPipe> AuthenticateAsClientAsync(
        IDuplexPipe transport, string host, TargetTlsMode mode, string? caFile, CancellationToken cancellationToken)
    {
        if (mode == TargetTlsMode.Disable)
            throw new ArgumentException("tls: disable means no TLS handshake at all", nameof(mode));

        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (mode == TargetTlsMode.VerifyFull)
        {
            if (caFile is not null)
            {
                options.CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                };
                options.CertificateChainPolicy.CustomTrustStore.AddRange(TrustedRoots.Load(caFile));
            }
            // SslStream then rejects any chain or name error itself.
        }
        else
        {
            // prefer/require mean "encrypt, do not authenticate the server" (libpq's sslmode semantics): the
            // operator chose it in config; verify-full is the mode that authenticates.
#pragma warning disable CA5359
            options.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        var inner = new DuplexPipeStream(transport) { OffloadReads = true };
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        inner.OffloadReads = false;
        return Wrap(ssl);
    }

    /// <summary>
    /// Reads are on demand (no read-ahead loop), so TLS adds no buffer of its own to the socket pipe's bounds;
    /// zero-byte reads keep an idle session from holding a read buffer.
    /// </summary>
    private static SslStreamPipe Wrap(SslStream ssl)
    {
        var reader = PipeReader.Create(ssl, new StreamPipeReaderOptions(
            bufferSize: ReadBufferBytes, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true));
        var writer = PipeWriter.Create(ssl, new StreamPipeWriterOptions(minimumBufferSize: WriteBufferBytes, leaveOpen: true));
        return new SslStreamPipe(new TlsDuplexPipe(reader, writer), ssl);
    }

    private sealed class TlsDuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
    }
}
