using System.IO.Pipelines;
using System.Net.Security;
using Gateway.Core.Sessions;

namespace Gateway.Protocols.Postgres.Upstream;

/// <summary>
/// Client-side TLS over an existing duplex pipe: the pipe is wrapped as a stream for <see cref="SslStream"/>,
/// and the decrypted stream is exposed as a pipe again. Only BCL adapters are used, with no background copy
/// loops: a read of the decrypted pipe reads the TLS stream on demand, and every failure surfaces at the
/// awaiting caller. (Pipelines.Sockets.Unofficial's <c>StreamConnection.GetDuplex(IDuplexPipe)</c> stream throws
/// a faulted read on a thread-pool callback instead, which crashes the process when the socket is aborted
/// mid-read — seen in this project's tests with 2.2.16.) Kept private to the upstream path; the listener's
/// server-side TLS helper is the candidate to host both directions later.
/// </summary>
internal static class UpstreamTls
{
    private const int DecryptedBufferSize = 16 * 1024;

    /// <summary>Runs the handshake; the caller must have consumed every plaintext byte first.</summary>
    public static async Task<SslStreamPipe> AuthenticateAsClientAsync(
        IDuplexPipe transport, SslClientAuthenticationOptions options, CancellationToken cancellationToken)
    {
        var tls = new SslStream(new DuplexPipeStream(transport), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var decrypted = new DuplexPipe(
            PipeReader.Create(tls, new StreamPipeReaderOptions(bufferSize: DecryptedBufferSize, leaveOpen: true)),
            PipeWriter.Create(tls, new StreamPipeWriterOptions(leaveOpen: true)));
        return new SslStreamPipe(decrypted, tls);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
