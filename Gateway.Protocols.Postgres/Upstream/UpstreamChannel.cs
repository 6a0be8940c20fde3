using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Core.Config;
using Gateway.Core.Sessions;
using Gateway.Core.Tls;
using Gateway.Protocols.Postgres.Protocol;
using Pipelines.Sockets.Unofficial;

namespace Gateway.Protocols.Postgres.Upstream;

/// <summary>
/// A byte channel to the target: TCP, then TLS negotiated per <see cref="TargetConfig.Tls"/> with an SSLRequest.
/// Shared by the connector and the canceller. The caller bounds the whole open with its token.
/// </summary>
internal sealed class UpstreamChannel : IAsyncDisposable
{
    // Inline continuations, like the client side (Gateway.Core SocketPipeOptions): no thread hop per message.
    private static readonly PipeOptions SocketPipeOptions = new(
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        minimumSegmentSize: 16 * 1024,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        useSynchronizationContext: false);

    private readonly SocketConnection _socket;
    private int _disposed;

    private UpstreamChannel(SocketConnection socket, IDuplexPipe transport, SslStream? tls)
    {
        _socket = socket;
        Transport = transport;
        Tls = tls;
    }

    /// <summary>The plaintext pipe: the socket itself, or the decrypted side of TLS.</summary>
    public IDuplexPipe Transport { get; }

    public SslStream? Tls { get; }

    /// <summary>The socket's own receive pipe: under TLS, the encrypted bytes the (on-demand) TLS reader has not read yet.</summary>
    internal PipeReader SocketInput => _socket.Input;

    public static async Task<UpstreamChannel> OpenAsync(TargetConfig target, CancellationToken cancellationToken)
    {
        var name = $"{target.Host}:{target.Port}";
        var socket = await ConnectSocketAsync(target, cancellationToken).ConfigureAwait(false);
        // Zero-length reads: an idle upstream holds no receive buffer until data arrives (bench memory).
        var connection = SocketConnection.Create(socket, SocketPipeOptions, SocketPipeOptions, SocketConnectionOptions.ZeroLengthReads, name);
        try
        {
            if (target.Tls == TargetTlsMode.Disable)
                return new UpstreamChannel(connection, connection, tls: null);

            if (!await NegotiateSslAsync(connection, target, cancellationToken).ConfigureAwait(false))
                return new UpstreamChannel(connection, connection, tls: null);

            SslStreamPipe tls;
            try
            {
                tls = await TlsPipe.AuthenticateAsClientAsync(connection, target.Host, target.Tls, target.CaFile, cancellationToken).ConfigureAwait(false);
            }
            catch (CryptographicException e)
            {
                throw new UpstreamConnectException(UpstreamConnectStage.Tls, $"cannot use ca_file for upstream {name}: {e.Message}", e);
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                throw new UpstreamConnectException(UpstreamConnectStage.Tls, $"TLS handshake with upstream {name} failed: {e.Message}", e);
            }
            return new UpstreamChannel(connection, tls, tls.Stream);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static async Task<Socket> ConnectSocketAsync(TargetConfig target, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(target.Host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(target.Host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new UpstreamConnectException(UpstreamConnectStage.Resolve, $"could not resolve upstream host {target.Host}: {e.SocketErrorCode}", e);
            }
            if (addresses.Length == 0)
                throw new UpstreamConnectException(UpstreamConnectStage.Resolve, $"upstream host {target.Host} has no addresses");
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, target.Port), cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e)
            {
                last = e;
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw new UpstreamConnectException(UpstreamConnectStage.Connect,
            $"could not connect to upstream {target.Host}:{target.Port}: {Describe(last!.SocketErrorCode)}", last);
    }

    /// <summary>Sends SSLRequest; true when the server agreed to TLS.</summary>
    private static async Task<bool> NegotiateSslAsync(IDuplexPipe connection, TargetConfig target, CancellationToken cancellationToken)
    {
        PgFrontendWriter.WriteSslRequest(connection.Output);
        await connection.Output.FlushAsync(cancellationToken).ConfigureAwait(false);

        var result = await connection.Input.ReadAsync(cancellationToken).ConfigureAwait(false);
        var buffer = result.Buffer;
        if (buffer.IsEmpty)
            throw new UpstreamConnectException(UpstreamConnectStage.Tls, $"upstream {target.Host}:{target.Port} closed the connection during SSL negotiation");

        var answer = buffer.FirstSpan[0];
        // The server speaks exactly one byte and then waits: anything more arrived unencrypted and
        // unauthenticated, and must not be read as if it came through TLS (CVE-2021-3935).
        var extra = buffer.Length - 1;
        connection.Input.AdvanceTo(buffer.GetPosition(1));
        if (extra > 0)
            throw new UpstreamConnectException(UpstreamConnectStage.Tls,
                $"upstream {target.Host}:{target.Port} sent {extra} unexpected bytes after its SSL response");

        switch (answer)
        {
            case (byte)'S':
                return true;
            case (byte)'N' when target.Tls == TargetTlsMode.Prefer:
                return false;
            case (byte)'N':
                throw new UpstreamConnectException(UpstreamConnectStage.Tls,
                    $"upstream {target.Host}:{target.Port} does not support TLS, but the target requires it (tls: {TlsModeText(target.Tls)})");
            default:
                throw new UpstreamConnectException(UpstreamConnectStage.Tls,
                    $"upstream {target.Host}:{target.Port} answered SSLRequest with {PgMessageReader.TypeText(answer)}");
        }
    }

    private static string TlsModeText(TargetTlsMode mode) => mode switch
    {
        TargetTlsMode.Disable => "disable",
        TargetTlsMode.Prefer => "prefer",
        TargetTlsMode.Require => "require",
        TargetTlsMode.VerifyFull => "verify-full",
        _ => mode.ToString(),
    };

    private static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.TimedOut => "timed out",
        _ => error.ToString(),
    };

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await Transport.Output.CompleteAsync().ConfigureAwait(false);
        await Transport.Input.CompleteAsync().ConfigureAwait(false);
        if (Tls is not null)
            await Tls.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }
}
