using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Gateway.Core.Audit;
using Gateway.Core.Identity;
using Gateway.Core.Policy;
using Gateway.Core.Sessions;
using Gateway.Protocols.Postgres.Analysis;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Protocol.Messages;
using Gateway.Protocols.Postgres.Upstream;
using Microsoft.Extensions.Logging;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>
/// One client's PostgreSQL session through the gateway: startup and token authentication
/// (<c>PostgresSession.Startup.cs</c>), the upstream connection with the injected credential, then two loops —
/// client to server (<c>.ClientToServer.cs</c>: analyse, decide, audit, forward or deny) and server to client
/// (<c>.ServerToClient.cs</c>: mask, limit, record results). The loops meet in <see cref="_pending"/>: every client
/// message that the server will answer is queued before it is forwarded, so the server loop always knows which
/// request a response belongs to.
/// </summary>
internal sealed partial class PostgresSession : IDisposable
{
    private readonly ClientConnection _client;
    private readonly PostgresProtocolHandler _handler;
    private readonly ILogger _logger;
    private readonly SessionAudit _audit;
    private readonly PendingQueue _pending = new();
    private readonly PreparedStatements _prepared = new();
    private readonly CursorQueries _cursors = new();
    private readonly Dictionary<string, Portal> _portals = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _clientWrite = new(1, 1);
    private readonly SemaphoreSlim _serverWrite = new(1, 1);
    private readonly CancellationTokenSource _ended = new();
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private readonly int _maxMessageBytes;

    private IPolicySource? _policy;
    private ResultShape? _lastShape; // server loop only
    private Principal? _principal;
    private SessionFacts? _facts;
    private UpstreamConnection? _upstream;
    private UpstreamPool? _pool;
    private UpstreamPoolKey _poolKey;
    private int _upstreamLease;
    private bool _unsynced;
    private (int ProcessId, int SecretKey)? _clientKey;
    private volatile bool _discardUntilSync;

    // The server is in COPY FROM STDIN (from its CopyInResponse until the client's CopyDone or CopyFail, or the server's
    // error): it ignores Sync and Flush and fails on any other message (.ClientToServer.cs, OnCopyInMessage).
    private volatile bool _copyIn;

    // A forwarded command that may put the server into COPY FROM STDIN: the client loop reads nothing more until the
    // server has answered whether it did, because the server reads what follows differently if it did.
    private TaskCompletionSource<bool>? _copyInBarrier;
    private TransactionStatus _status = TransactionStatus.Idle;
    private long _bytesIn;
    private long _bytesOut;
    private string _endReason = "client closed the connection";
    private bool _clientTerminated;

    // Before identification: why and how the gateway refused the connection, and the startup the client claimed,
    // for the connection_refused record. A client that just went away is not a refusal and leaves no record.
    private (RefusalKind Kind, PgError Error)? _refusal;
    private StartupMessage? _claimedStartup;
    private bool _tlsHandshaking;

    public PostgresSession(ClientConnection client, PostgresProtocolHandler handler)
    {
        _client = client;
        _handler = handler;
        _logger = handler.Logger;
        _maxMessageBytes = client.Listener.MaxMessageBytes;
        var target = client.Listener.Target;
        _commandOfPrepared = _prepared.CommandOf;
        _audit = new SessionAudit(client.Services.FrameLog, client.SessionId, client.Listener.Name, SqlProtocol,
            client.RemoteEndPoint, $"{target.Host}:{target.Port}", client.Services.Config.Audit.Capture);
    }

    public const string SqlProtocol = "postgres";

    // EXECUTE name inherits the statements of name's PREPARE or Parse (one delegate per session, not per query).
    private readonly Func<string, Command?> _commandOfPrepared;

    /// <summary>
    /// feature_not_supported: a session whose server would read SQL differently from the analysis
    /// (<see cref="LexerSettings"/>) is refused at startup or ended.
    /// </summary>
    private const string LexerSettingsSqlState = "0A000";

    // The listener's rules, looked up once per session: a reload swaps Current inside the same source.
    private IPolicySource Policy => _policy ??= _client.Services.PolicyFor(_client.Listener);

    private PipeReader ClientInput => _client.Transport.Input;
    private PipeWriter ClientOutput => _client.Transport.Output;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _ended.Token);
        var token = linked.Token;
        try
        {
            if (!await StartupAsync(token).ConfigureAwait(false))
                return;
            await ProxyAsync(token).ConfigureAwait(false);
        }
        catch (PgProtocolException e)
        {
            _endReason = $"protocol violation: {e.Message}";
            Refused(RefusalKind.ProtocolViolation, e.ToError());
            PostgresLog.ProtocolViolation(_logger, _client.SessionId, e.Message);
            await AuditErrorQuietlyAsync("gateway", "FATAL", e.SqlState, e.Message).ConfigureAwait(false);
            await TrySendFatalAsync(e.ToError()).ConfigureAwait(false);
        }
        catch (LexerSettingsChangedException e)
        {
            _endReason = $"ended: {e.Message}";
            PostgresLog.LexerSettingsChanged(_logger, _client.SessionId, e.Message);
            await AuditErrorQuietlyAsync("gateway", "FATAL", LexerSettingsSqlState, e.Message).ConfigureAwait(false);
            await TrySendFatalAsync(new PgError(PgSeverity.Fatal, LexerSettingsSqlState, $"terminating connection: {e.Message}")).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _endReason = "gateway shutting down";
            await TrySendFatalAsync(new PgError(PgSeverity.Fatal, "57P01", "terminating connection: the gateway is shutting down")).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            if (_endReason == "client closed the connection")
                _endReason = $"connection lost: {e.Message}";
        }
        finally
        {
            await EndAsync(stopping: cancellationToken.IsCancellationRequested).ConfigureAwait(false);
        }
    }

    /// <summary>Runs both directions until either side closes; the first to end stops the other.</summary>
    private async Task ProxyAsync(CancellationToken cancellationToken)
    {
        using var expiry = ScheduleTokenExpiry();
        using var draining = _client.Draining.Register(() => _ = DrainIfIdleAsync());
        var clientToServer = ClientToServerAsync(cancellationToken);
        var serverToClient = ServerToClientAsync(cancellationToken);
        var first = await Task.WhenAny(clientToServer, serverToClient).ConfigureAwait(false);
        // The loop still waiting to read is ended with a cancelled read (nothing else cancels these reads) before
        // the token is cancelled: a token cancelled under a pending pipe read throws, two exceptions per session end,
        // a fifth of the gateway's CPU per connection under pgbench -C. With inline pipe continuations the loop
        // returns inside CancelPendingRead; a loop busy elsewhere (a flush to a slow client) still ends by the token.
        (first == clientToServer ? _upstream!.Transport.Input : ClientInput).CancelPendingRead();
        await _ended.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(clientToServer, serverToClient).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_ended.IsCancellationRequested)
        {
            // The other loop was stopped because this one ended; the first loop's outcome is what counts.
        }
        await first.ConfigureAwait(false);
    }

    /// <summary>
    /// Takes a direction's write lock for the buffer just read. A cancelled wait ends the read first, so the reader
    /// can be read again: the listener drains the client's input after the session (its linger).
    /// </summary>
    private static async ValueTask LockForAsync(SemaphoreSlim gate, PipeReader input, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            input.AdvanceTo(buffer.Start);
            throw;
        }
    }

    /// <summary>A token that expires during a session ends it at <c>exp</c> with a FATAL that says so.</summary>
    private ITimer? ScheduleTokenExpiry()
    {
        if (_principal is null)
            return null;
        var time = _client.Services.Time;
        var due = _principal.ExpiresAt - time.GetUtcNow();
        if (due < TimeSpan.Zero)
            due = TimeSpan.Zero;
        return time.CreateTimer(_ => _ = ExpireAsync(), null, due, Timeout.InfiniteTimeSpan);
    }

    private async Task ExpireAsync()
    {
        _endReason = "token expired";
        await TrySendFatalAsync(new PgError(PgSeverity.Fatal, "28000",
            $"terminating connection: the token of {_principal?.Subject} expired at {_principal?.ExpiresAt:u}")
        { Hint = "Obtain a new token and reconnect." }).ConfigureAwait(false);
        await _ended.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// A graceful shutdown lets the command in flight finish: an idle session ends now, a busy one after its
    /// ReadyForQuery (see <c>OnReadyForQueryAsync</c>).
    /// </summary>
    private async Task DrainIfIdleAsync()
    {
        if (_pending.Count > 0 || _status != TransactionStatus.Idle)
            return;
        await EndForShutdownAsync().ConfigureAwait(false);
    }

    private async Task EndForShutdownAsync()
    {
        _endReason = "gateway shutting down";
        await TrySendFatalAsync(new PgError(PgSeverity.Fatal, "57P01", "terminating connection: the gateway is shutting down")
        { Hint = "Reconnect in a moment; another gateway instance will take the connection." }).ConfigureAwait(false);
        await _ended.CancelAsync().ConfigureAwait(false);
    }

    /// <param name="stopping">The gateway is stopping: no session end waits for its server.</param>
    private async Task EndAsync(bool stopping)
    {
        if (_clientKey is { } key)
            _handler.CancelKeys.Unregister(key);
        if (_upstream is not null)
        {
            if (_pool is not null && _clientTerminated && !stopping && _pending.Count == 0 && !_unsynced && !_discardUntilSync
                && _status == TransactionStatus.Idle && _upstream.TransactionStatus == TransactionStatus.Idle)
            {
                // A clean end with nothing outstanding, no batch unsynced and no transaction open: the pool resets it
                // for the next client.
                await _pool.ReturnAsync(_poolKey, _upstream).ConfigureAwait(false);
            }
            else
            {
                // A server with nothing outstanding reads the Terminate at once, exits and closes first; a busy one (a
                // query still running, a client that left mid-result) would read it only later, so it is not waited for.
                await _upstream.CloseAsync(waitForServer: _pending.Count == 0 && !stopping).ConfigureAwait(false);
            }
        }
        try
        {
            if (_principal is not null)
                await _audit.SessionEndAsync(_endReason, Stopwatch.GetElapsedTime(_startedAt), _bytesIn, _bytesOut,
                    _upstream is { } served ? (served.ProcessId, _upstreamLease > 0) : null, CancellationToken.None).ConfigureAwait(false);
            else if (_refusal is { } refusal)
                await _audit.ConnectionRefusedAsync(refusal.Kind, _endReason, refusal.Error.SqlState, refusal.Error.Message, Claimed(),
                    Stopwatch.GetElapsedTime(_startedAt), _client.Services.RefusalRecords, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            PostgresLog.AuditFailed(_logger, _client.SessionId, e.Message);
        }
        PostgresLog.SessionEnded(_logger, _client.SessionId, _principal?.Subject, _endReason);
    }

    public void Dispose()
    {
        _ended.Dispose();
        _clientWrite.Dispose();
        _serverWrite.Dispose();
        _pending.Dispose();
    }

    /// <summary>Writes a FATAL error to the client, best effort: the connection may already be gone.</summary>
    /// <summary>Notes the first refusal of a connection not yet identified (once identified, it ends as a session).</summary>
    private void Refused(RefusalKind kind, PgError error)
    {
        if (_principal is null)
            _refusal ??= (kind, error);
    }

    private ClaimedStartup? Claimed() => _claimedStartup is { } startup
        ? new ClaimedStartup(startup.User, startup.Database, startup.Parameters.GetValueOrDefault("application_name"))
        : null;

    private async Task TrySendFatalAsync(PgError error)
    {
        try
        {
            await WriteToClientAsync(writer => PgBackendWriter.WriteErrorResponse(writer, error), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The client is gone; nothing more to tell it.
        }
    }

    private async Task AuditErrorQuietlyAsync(string source, string severity, string code, string message)
    {
        if (_principal is null)
            return;
        try
        {
            await _audit.ErrorAsync(source, severity, code, message, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            PostgresLog.AuditFailed(_logger, _client.SessionId, e.Message);
        }
    }

    /// <summary>Serialises writes to the client: the server loop, denials and the expiry timer all write there.</summary>
    private async ValueTask WriteToClientAsync(Action<IBufferWriter<byte>> write, CancellationToken cancellationToken)
    {
        await _clientWrite.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            write(ClientOutput);
            var flushed = await ClientOutput.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flushed.IsCompleted)
                throw new IOException("the client stopped reading");
        }
        finally
        {
            _clientWrite.Release();
        }
    }
}
