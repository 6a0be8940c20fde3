using System.IO.Pipelines;
using System.Net.Security;
using Gateway.Core.Sessions;
using Pipelines.Sockets.Unofficial;

namespace Gateway.Protocols.Postgres.Upstream;

/// <summary>
/// Client-side TLS over an existing duplex pipe: the pipe is wrapped as a stream for <see cref="SslStream"/>,
/// and the decrypted stream is exposed as a pipe again. Kept private to the upstream path for now; the
/// listener's server-side helper (Gateway.Core Tls) is the candidate to host both directions later.
/// </summary>
internal static class UpstreamTls
{
    private static readonly PipeOptions DecryptedPipeOptions = new(
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        minimumSegmentSize: 16 * 1024,
        useSynchronizationContext: false);

    /// <summary>Runs the handshake; the caller must have consumed every plaintext byte first.</summary>
    public static async Task<SslStreamPipe> AuthenticateAsClientAsync(
        IDuplexPipe transport, SslClientAuthenticationOptions options, string name, CancellationToken cancellationToken)
    {
        var encrypted = StreamConnection.GetDuplex(transport, name);
        var tls = new SslStream(encrypted, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var decrypted = StreamConnection.GetDuplex(tls, DecryptedPipeOptions, DecryptedPipeOptions, name);
        return new SslStreamPipe(decrypted, tls);
    }
}
