using System.IO.Pipelines;
using System.Net.Security;
using Gateway.Protocols.Postgres.Protocol;

namespace Gateway.Protocols.Postgres.Upstream;

/// <summary>
/// An authenticated upstream PostgreSQL session, positioned just after the first ReadyForQuery: the next
/// bytes on <see cref="Transport"/> are whatever the server sends next. Owned by one client session.
/// </summary>
public sealed class UpstreamConnection : IAsyncDisposable
{
    private readonly UpstreamChannel _channel;
    private readonly Dictionary<string, string> _parameters;
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
