using Gateway.Core.Audit;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Protocol;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>What a client message forwarded to the server is answered with; the server loop reads these in order.</summary>
internal enum PendingKind
{
    /// <summary>Simple Query: results until ReadyForQuery.</summary>
    Query,
    Parse,
    Bind,
    Describe,
    Execute,
    Close,
    /// <summary>Sync: answered by ReadyForQuery.</summary>
    Sync,
    /// <summary>FunctionCall: FunctionCallResponse, then ReadyForQuery.</summary>
    FunctionCall,
    /// <summary>A statement the gateway sent on its own account; everything up to its ReadyForQuery is swallowed.</summary>
    Internal,
}

/// <summary>
/// One client message in flight to the server. The client loop creates it before forwarding the message (so the
/// server loop always finds the entry of the response it reads); the server loop completes it.
/// </summary>
internal sealed class PendingResponse
{
    public PendingResponse(PendingKind kind) => Kind = kind;

    public PendingKind Kind { get; }

    /// <summary>
    /// Set when the gateway denied the message and sent the server a deliberately failing one in its place: the
    /// server's error for it is replaced by this one, so the server's own state (failed transaction, skip to Sync)
    /// matches what the client is told.
    /// </summary>
    public PgError? Denial { get; init; }

    public Decision? Decision { get; init; }

    /// <summary>For Describe: the statement or portal whose result columns the RowDescription describes.</summary>
    public PreparedStatement? DescribedStatement { get; init; }

    public Portal? DescribedPortal { get; init; }

    /// <summary>For Execute: the portal whose rows come back. For Bind: the portal it creates.</summary>
    public Portal? Portal { get; init; }

    /// <summary>For Bind: the portal of the same name it replaced in the gateway's map, put back if the server refuses or skips the Bind.</summary>
    public Portal? ReplacedPortal { get; init; }

    /// <summary>For Execute: the portal's first, which set <see cref="Session.Portal.Judged"/>; cleared if the server skips it.</summary>
    public bool FirstExecute { get; init; }

    /// <summary>For Query and Execute: what the client saw, for the result record.</summary>
    public ResultCapture? Capture { get; set; }

    /// <summary>The masking of the current result set, resolved once per RowDescription.</summary>
    public ResultShape? Shape { get; set; }

    /// <summary>Rows forwarded so far for the current result (for <c>max_rows</c>).</summary>
    public long RowsForwarded { get; set; }

    /// <summary>Row bytes forwarded so far for the current result (for <c>max_bytes</c>).</summary>
    public long BytesForwarded { get; set; }

    /// <summary>The gateway ended this result with its own error (a limit); the server's remaining answers are dropped.</summary>
    public bool EndedByGateway { get; set; }

    /// <summary>
    /// For a Query or Execute that may start COPY FROM STDIN: completed true by the server's CopyInResponse, false when
    /// the request ends without one. The client loop waits on it before reading on.
    /// </summary>
    public TaskCompletionSource<bool>? CopyIn { get; init; }

    /// <summary>The <c>statement_timeout</c> timer of a limited statement; disposed when the entry completes.</summary>
    public ITimer? Timeout { get; set; }

    /// <summary>The gateway cancelled this statement at its rule's <c>statement_timeout</c>.</summary>
    public bool TimedOut { get; set; }

    public override string ToString() => Denial is null ? Kind.ToString() : $"{Kind} (denied)";
}
