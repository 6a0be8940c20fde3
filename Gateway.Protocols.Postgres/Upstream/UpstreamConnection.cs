using System.IO.Pipelines;
using System.Net.Security;
using Gateway.Protocols.Postgres.Protocol;

namespace Gateway.Protocols.Postgres.Upstream;

/// <summary>
/// An authenticated upstream PostgreSQL session, positioned just after a ReadyForQuery: the next bytes on
/// <see cref="Transport"/> are whatever the server sends next. Owned by one client session at a time; with
/// <c>target.pool</c> it is reset and handed to the next (<see cref="UpstreamPool"/>), each owner holding a
/// <see cref="Lease"/> of it.
/// </summary>
public sealed class UpstreamConnection : IAsyncDisposable
{
    private readonly UpstreamChannel _channel;
    private readonly Dictionary<string, string> _parameters;
    private readonly Lock _leaseLock = new();
    private int _lease;
    private bool _cancelSent;
    private bool _released;
    private int _disposed;

    internal UpstreamConnection(UpstreamChannel channel, string target, int processId, int secretKey,
        Dictionary<string, string> parameters, TransactionStatus status)
    {
        _channel = channel;
        Target = target;
        ProcessId = processId;
        SecretKey = secretKey;
        _parameters = parameters;
        TransactionStatus = status;
    }

    /// <summary>When the connection was opened, on the pool's clock (<see cref="UpstreamPool.Opened"/>), for <c>pool.max_lifetime</c>.</summary>
    internal long OpenedAt { get; set; }

    /// <summary>How many client sessions have held this connection before the current one.</summary>
    public int Lease => Volatile.Read(ref _lease);

    /// <summary>The plaintext pipe to the server (decrypted when TLS is on).</summary>
    public IDuplexPipe Transport => _channel.Transport;

    /// <summary><c>host:port</c>, for logs and errors.</summary>
    public string Target { get; }

    public int ProcessId { get; }

    /// <summary>The cancel key. A secret for the backend's lifetime: never log it.</summary>
    public int SecretKey { get; }

    /// <summary>server_version, server_encoding, client_encoding, standard_conforming_strings, TimeZone, ... as last reported.</summary>
    public IReadOnlyDictionary<string, string> ParameterStatus => _parameters;

    /// <summary>From the last ReadyForQuery; the session updates it as results pass.</summary>
    public TransactionStatus TransactionStatus { get; set; }

    public bool IsTls => _channel.Tls is not null;

    /// <summary>The TLS session to the server, when encrypted.</summary>
    public SslStream? Tls => _channel.Tls;

    /// <summary>Records a ParameterStatus the server sent after startup (e.g. after SET).</summary>
    public void UpdateParameter(string name, string value) => _parameters[name] = value;

    /// <summary>
    /// Claims the right to cancel on the server for the owner holding <paramref name="lease"/>. False once that owner
    /// released the connection: a late CancelRequest from a client that has left must never reach the backend its
    /// next owner is using. A connection a cancel was sent for is never reused (the server may deliver it late).
    /// </summary>
    public bool TryClaimCancel(int lease)
    {
        lock (_leaseLock)
        {
            if (lease != _lease || _released)
                return false;
            _cancelSent = true;
            return true;
        }
    }

    /// <summary>Ends the current lease for reuse; false when a cancel was sent during it (close the connection instead).</summary>
    internal bool TryRelease()
    {
        lock (_leaseLock)
        {
            _released = true;
            return !_cancelSent;
        }
    }

    /// <summary>Starts the next owner's lease.</summary>
    internal void Renew()
    {
        lock (_leaseLock)
        {
            _lease++;
            _released = false;
        }
    }

    /// <summary>
    /// Whether the server sent anything since the last ReadyForQuery, or closed: an idle backend that was terminated
    /// (<c>pg_terminate_backend</c>, <c>idle_session_timeout</c>, a restart) has sent its FATAL and closed. Under TLS the
    /// decrypting reader reads on demand only, so the socket's own pipe (which always reads) is looked at too.
    /// </summary>
    internal bool HasPendingInput() =>
        HasUnread(_channel.Transport.Input) || (_channel.Tls is not null && HasUnread(_channel.SocketInput));

    private static bool HasUnread(PipeReader input)
    {
        // The session's last read may have been ended with CancelPendingRead after it returned: a cancelled result
        // consumes that flag, and the real state is read once more.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (!input.TryRead(out var result))
                return false;
            input.AdvanceTo(result.Buffer.Start);
            if (!result.IsCanceled)
                return !result.Buffer.IsEmpty || result.IsCompleted;
        }
        return false;
    }

    /// <summary>
    /// Resets the session for the next client (<see cref="UpstreamReset"/>) within <paramref name="timeout"/>.
    /// False when the session could not be provably reset; the caller closes it.
    /// </summary>
    internal async Task<bool> TryResetAsync(TimeSpan timeout)
    {
        var reset = new UpstreamReset();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            PgFrontendWriter.WriteQuery(Transport.Output, UpstreamReset.Query);
            await Transport.Output.FlushAsync(deadline.Token).ConfigureAwait(false);
            if (!await UpstreamMessages.ReadUntilAsync(Transport, frame => reset.Process(frame), deadline.Token).ConfigureAwait(false))
                return false;
        }
        catch (Exception e) when (e is UpstreamResetException or PgProtocolException or IOException or OperationCanceledException
            or InvalidOperationException or ObjectDisposedException)
        {
            return false;
        }
        foreach (var (name, value) in reset.Parameters)
            _parameters[name] = value;
        TransactionStatus = TransactionStatus.Idle;
        return true;
    }

    /// <summary>Sends Terminate (best effort, so the server logs a clean disconnect) and closes the connection.</summary>
    public ValueTask DisposeAsync() => CloseAsync(waitForServer: false);

    /// <summary>
    /// Sends Terminate and closes the connection; with <paramref name="waitForServer"/> (the server is idle, so it
    /// reads the Terminate at once) it first waits, up to a second, for the server to close its end.
    /// </summary>
    public async ValueTask CloseAsync(bool waitForServer)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            PgFrontendWriter.WriteTerminate(_channel.Transport.Output);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await _channel.Transport.Output.FlushAsync(timeout.Token).ConfigureAwait(false);
            if (waitForServer)
                await WaitForServerCloseAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is already gone or stuck; closing it is all that is left.
        }
        await _channel.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Reads (and drops) what the server still sends until it closes the connection after Terminate, so the socket's
    /// receive loop ends on end-of-stream. Disposing the socket under a pending receive aborts it instead, which the
    /// socket library reports by throwing a SocketException and an ObjectDisposedException on every disconnect.
    /// </summary>
    private async Task WaitForServerCloseAsync(CancellationToken cancellationToken)
    {
        var input = _channel.Transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
                return;
        }
    }
}
