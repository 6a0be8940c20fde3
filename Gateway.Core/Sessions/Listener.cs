using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gateway.Core.Config;
using Gateway.Core.Diagnostics;
using Gateway.Core.Tls;
using Microsoft.Extensions.Logging;

namespace Gateway.Core.Sessions;

/// <summary>
/// One configured listener: binds <c>bind</c>, runs one accept loop, enforces the connection caps and hands
/// each admitted socket to the protocol handler on a task of its own. Lifecycle:
/// <see cref="Start"/> → (<see cref="StopAcceptingAsync"/> → <see cref="BeginDrain"/> →
/// <see cref="WaitForSessionsAsync"/> → <see cref="AbortSessions"/>), or all of it via <see cref="ShutdownAsync"/>.
/// Split by concern: <c>Listener.Accept.cs</c> (accept and refuse), <c>Listener.Session.cs</c> (one session).
/// </summary>
public sealed partial class Listener : IAsyncDisposable
{
    /// <summary>How long aborted sessions get to unwind before shutdown stops waiting for them.</summary>
    private static readonly TimeSpan AbortWait = TimeSpan.FromSeconds(5);

    private readonly ListenerConfig _config;
    private readonly IProtocolHandler _handler;
    private readonly GatewayServices _services;
    private readonly ListenerOptions _options;
    private readonly ILogger _logger;
    private readonly ListenerMetrics _metrics;
    private readonly ConnectionCaps _caps;
    private readonly PipeOptions _receiveOptions;
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly CancellationTokenSource _draining = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _stateLock = new();
    private bool _accepting;
    private int _running;
    private int _refusalsInFlight;
    private Socket? _socket;
    private Task _acceptLoop = Task.CompletedTask;
    private Func<IDuplexPipe, CancellationToken, ValueTask<SslStreamPipe>>? _tlsUpgrade;

    public Listener(ListenerConfig config, IProtocolHandler handler, GatewayServices services, ListenerOptions? options = null)
    {
        if (!string.Equals(config.Protocol, handler.Protocol, StringComparison.Ordinal))
            throw new ArgumentException($"listener {config.Name} speaks {config.Protocol}, the handler {handler.Protocol}", nameof(handler));
        _config = config;
        _handler = handler;
        _services = services;
        _options = options ?? ListenerOptions.Default;
        _logger = services.Loggers.CreateLogger<Listener>();
        _metrics = services.Metrics.For(config.Name);
        _caps = new ConnectionCaps(config.MaxConnections, config.MaxConnectionsPerIp);
        _receiveOptions = SocketPipeOptions.ReceiveFor(config);
    }

    public ListenerConfig Config => _config;

    /// <summary>The bound address (with the real port when <c>bind</c> asked for port 0); null before <see cref="Start"/>.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>Sessions currently owned by the protocol handler.</summary>
    public int ActiveSessions => Volatile.Read(ref _running);

    public bool IsDraining => _draining.IsCancellationRequested;

    /// <summary>Loads the TLS certificate and binds. Throws <see cref="ListenerStartException"/> naming the listener.</summary>
    public void Start()
    {
        if (_socket is not null)
            throw new InvalidOperationException($"listener {_config.Name} is already started");
        if (!ConfigValidator.TryParseBind(_config.Bind, out var endpoint))
            throw new ListenerStartException(_config.Name, $"bind '{_config.Bind}' is not host:port");

        if (_config.Tls.Mode != ListenerTlsMode.Off)
            _tlsUpgrade = CreateTlsUpgrade();

        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
                socket.DualMode = true;
            socket.Bind(endpoint);
            socket.Listen(_options.Backlog);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ListenerStartException(_config.Name, $"cannot bind {_config.Bind}: {e.Message}", e);
        }

        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        lock (_stateLock)
            _accepting = true;
        _acceptLoop = Task.Run(AcceptLoopAsync);
        ListenerLog.Started(_logger, _config.Name, _config.Protocol, LocalEndPoint, _config.Tls.Mode.ToString().ToLowerInvariant());
    }

    /// <summary>
    /// Closes the listening socket (new connects are refused by the kernel) and waits for the accept loop
    /// to exit. The socket closes before this method first yields, so a caller need not await it for that.
    /// </summary>
    public async Task StopAcceptingAsync()
    {
        bool wasAccepting;
        lock (_stateLock)
        {
            wasAccepting = _accepting;
            _accepting = false;
            if (_running == 0)
                _idle.TrySetResult();
        }
        _stopAccepting.Cancel();
        _socket?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        if (wasAccepting)
            ListenerLog.StoppedAccepting(_logger, _config.Name);
    }

    /// <summary>Signals <see cref="ClientConnection.Draining"/>: sessions finish their current command and close.</summary>
    public void BeginDrain() => CancelAndLog(_draining, "draining");

    /// <summary>Cancels every session's token and closes its socket.</summary>
    public void AbortSessions() => CancelAndLog(_abort, "abort");

    /// <summary>Completes when no session is left; only meaningful after <see cref="StopAcceptingAsync"/>.</summary>
    public Task WaitForSessionsAsync(CancellationToken cancellationToken = default) => _idle.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// The graceful shutdown of this listener: stop accepting, drain, wait up to <paramref name="drainTimeout"/>
    /// (normally <c>shutdown_timeout</c>), then abort what is left. Returns how many sessions were aborted.
    /// </summary>
    public async Task<int> ShutdownAsync(TimeSpan drainTimeout)
    {
        await StopAcceptingAsync().ConfigureAwait(false);
        BeginDrain();
        if (ActiveSessions > 0)
            ListenerLog.Draining(_logger, _config.Name, drainTimeout, ActiveSessions);
        if (await CompletesWithinAsync(_idle.Task, drainTimeout).ConfigureAwait(false))
            return 0;

        var aborted = ActiveSessions;
        ListenerLog.AbortingSessions(_logger, _config.Name, aborted, drainTimeout);
        AbortSessions();
        if (!await CompletesWithinAsync(_idle.Task, AbortWait).ConfigureAwait(false))
            ListenerLog.SessionsLeftBehind(_logger, _config.Name, ActiveSessions);
        return aborted;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAcceptingAsync().ConfigureAwait(false);
        BeginDrain();
        AbortSessions();
        await CompletesWithinAsync(_idle.Task, AbortWait).ConfigureAwait(false);
    }

    private Func<IDuplexPipe, CancellationToken, ValueTask<SslStreamPipe>> CreateTlsUpgrade()
    {
        SslStreamCertificateContext context;
        try
        {
            context = TlsCertificates.CreateContext(_config.Tls, _services.Config.StateDirectory, _config.Name,
                _services.Config.BaseDirectory, _services.Time);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ListenerStartException(_config.Name, $"cannot load its TLS certificate: {e.Message}", e);
        }
        var certificate = context.TargetCertificate;
        if (certificate.NotAfter.ToUniversalTime() < _services.Time.GetUtcNow().UtcDateTime)
            ListenerLog.CertificateExpired(_logger, _config.Name, certificate.Subject, certificate.NotAfter.ToUniversalTime());
        return (pipe, cancellationToken) => TlsPipe.AuthenticateAsServerAsync(pipe, context, cancellationToken);
    }

    private void CancelAndLog(CancellationTokenSource source, string signal)
    {
        try
        {
            source.Cancel();
        }
        catch (AggregateException e)
        {
            // A handler's callback threw; the signal still reached every other registration.
            ListenerLog.SignalCallbackFailed(_logger, e, _config.Name, signal);
        }
    }

    private async Task<bool> CompletesWithinAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout, _services.Time).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
