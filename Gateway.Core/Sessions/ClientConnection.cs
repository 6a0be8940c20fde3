using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using Gateway.Core.Config;
using Gateway.Core.Diagnostics;

namespace Gateway.Core.Sessions;

/// <summary>
/// One accepted client connection as a protocol handler sees it. <see cref="Transport"/> starts as the
/// plain socket pipe; protocols that negotiate TLS in-band (PostgreSQL's SSLRequest) call
/// <see cref="UpgradeToTlsAsync"/>, after which <see cref="Transport"/> is the decrypted pipe.
/// </summary>
public sealed class ClientConnection
{
    private const int Handshaking = 0;
    private const int Authenticated = 1;
    private const int HandshakeExpired = 2;

    /// <summary>Timers longer than this cannot be armed (about 49 days); such a timeout means "never".</summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly Func<IDuplexPipe, CancellationToken, ValueTask<SslStreamPipe>>? _tlsUpgrade;
    private readonly CancellationTokenSource _handshake;
    private int _handshakeState;
    private SslStreamPipe? _tlsPipe;

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
        Metrics = services.Metrics.For(listener.Name);
        _handshake = listener.HandshakeTimeout > TimeSpan.Zero && listener.HandshakeTimeout < LongestTimer
            ? new CancellationTokenSource(listener.HandshakeTimeout, services.Time)
            : new CancellationTokenSource();
    }

    public string SessionId { get; }
    public ListenerConfig Listener { get; }
    public IPEndPoint RemoteEndPoint { get; }
    public IDuplexPipe Transport { get; private set; }
    public GatewayServices Services { get; }

    /// <summary>This listener's counters (e.g. <see cref="ListenerMetrics.CommandDecided"/>).</summary>
    public ListenerMetrics Metrics { get; }

    /// <summary>Signalled when the gateway starts a graceful shutdown: finish the current command, then close.</summary>
    public CancellationToken Draining { get; }

    /// <summary>
    /// Fires <c>handshake_timeout</c> after accept unless <see cref="MarkAuthenticated"/> was called first.
    /// Link it into every wait of the handshake (TLS, startup, token exchange); when it fires the handler may
    /// send its protocol's error, and has <see cref="ListenerOptions.HandshakeGrace"/> to return before the
    /// listener aborts the session. Ignore it once <see cref="MarkAuthenticated"/> returned true.
    /// </summary>
    public CancellationToken HandshakeDeadline => _handshake.Token;

    public bool IsAuthenticated => Volatile.Read(ref _handshakeState) == Authenticated;

    /// <summary>Whether this listener can terminate TLS (<c>tls</c> is not <c>off</c>).</summary>
    public bool TlsAvailable => _tlsUpgrade is not null;

    /// <summary>The TLS session once upgraded; null while plain.</summary>
    public SslStream? Tls { get; private set; }

    public bool IsTls => Tls is not null;

    /// <summary>
    /// Ends the handshake phase: the deadline no longer applies. Returns false when the deadline already
    /// expired, in which case the session must end (the listener is about to abort it).
    /// </summary>
    public bool MarkAuthenticated()
    {
        var previous = Interlocked.CompareExchange(ref _handshakeState, Authenticated, Handshaking);
        if (previous != Handshaking)
            return previous == Authenticated;
        try
        {
            _handshake.CancelAfter(Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The session is already being released; the state change above is what counts.
        }
        return true;
    }

    /// <summary>
    /// Runs the server side of a TLS handshake over the current transport. The caller must have consumed
    /// every plaintext byte before calling (anything buffered would be a CVE-2021-3935-style injection).
    /// The handshake deadline applies even if <paramref name="cancellationToken"/> does not carry it.
    /// </summary>
    public async ValueTask UpgradeToTlsAsync(CancellationToken cancellationToken)
    {
        if (_tlsUpgrade is null)
            throw new InvalidOperationException($"listener {Listener.Name} has tls: off");
        if (Tls is not null)
            throw new InvalidOperationException("TLS is already established");

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, HandshakeDeadline);
        SslStreamPipe upgraded;
        try
        {
            upgraded = await _tlsUpgrade(Transport, linked.Token).ConfigureAwait(false);
        }
        catch
        {
            Metrics.TlsHandshakeFailed();
            throw;
        }
        _tlsPipe = upgraded;
        Transport = upgraded;
        Tls = upgraded.Stream;
    }

    /// <summary>Called by the listener when the deadline fires; true if the handshake was still running.</summary>
    internal bool TryExpireHandshake() =>
        Interlocked.CompareExchange(ref _handshakeState, HandshakeExpired, Handshaking) == Handshaking;

    /// <summary>Called by the listener after the handler returned: ends TLS (close_notify) and frees timers.</summary>
    internal async ValueTask ReleaseAsync(TimeSpan linger)
    {
        _handshake.Dispose();
        if (_tlsPipe is not null)
            await _tlsPipe.CloseAsync(linger).ConfigureAwait(false);
    }
}
