using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using Gateway.Core.Config;

namespace Gateway.Core.Sessions;

/// <summary>
/// One accepted client connection as a protocol handler sees it. <see cref="Transport"/> starts as the
/// plain socket pipe; protocols that negotiate TLS in-band (PostgreSQL's SSLRequest) call
/// <see cref="UpgradeToTlsAsync"/>, after which <see cref="Transport"/> is the decrypted pipe.
/// </summary>
public sealed class ClientConnection
{
    private readonly Func<IDuplexPipe, CancellationToken, ValueTask<SslStreamPipe>>? _tlsUpgrade;

    public ClientConnection(
        string sessionId,
        ListenerConfig listener,
        IPEndPoint remoteEndPoint,
        IDuplexPipe transport,
        GatewayServices services,
        Func<IDuplexPipe, CancellationToken, ValueTask<SslStreamPipe>>? tlsUpgrade,
        CancellationToken draining)
    {
        SessionId = sessionId;
        Listener = listener;
        RemoteEndPoint = remoteEndPoint;
        Transport = transport;
        Services = services;
        _tlsUpgrade = tlsUpgrade;
        Draining = draining;
    }

    public string SessionId { get; }
    public ListenerConfig Listener { get; }
    public IPEndPoint RemoteEndPoint { get; }
    public IDuplexPipe Transport { get; private set; }
    public GatewayServices Services { get; }

    /// <summary>Signalled when the gateway starts a graceful shutdown: finish the current command, then close.</summary>
    public CancellationToken Draining { get; }

    /// <summary>Whether this listener can terminate TLS (<c>tls</c> is not <c>off</c>).</summary>
    public bool TlsAvailable => _tlsUpgrade is not null;

    /// <summary>The TLS session once upgraded; null while plain.</summary>
    public SslStream? Tls { get; private set; }

    public bool IsTls => Tls is not null;

    /// <summary>
    /// Runs the server side of a TLS handshake over the current transport. The caller must have consumed
    /// every plaintext byte before calling (anything buffered would be a CVE-2021-3935-style injection).
    /// </summary>
    public async ValueTask UpgradeToTlsAsync(CancellationToken cancellationToken)
    {
        if (_tlsUpgrade is null)
            throw new InvalidOperationException($"listener {Listener.Name} has tls: off");
        if (Tls is not null)
            throw new InvalidOperationException("TLS is already established");
        var upgraded = await _tlsUpgrade(Transport, cancellationToken).ConfigureAwait(false);
        Transport = upgraded;
        Tls = upgraded.Stream;
    }
}

/// <summary>A TLS stream exposed as a pipe, keeping the <see cref="SslStream"/> for its negotiated details.</summary>
public sealed class SslStreamPipe(IDuplexPipe pipe, SslStream stream) : IDuplexPipe
{
    public SslStream Stream { get; } = stream;
    public PipeReader Input => pipe.Input;
    public PipeWriter Output => pipe.Output;
}
