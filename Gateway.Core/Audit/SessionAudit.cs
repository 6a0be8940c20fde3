using System.Net;
using System.Text.Json.Nodes;
using Gateway.Core.Config;
using Gateway.Core.FrameLog;
using Gateway.Core.Identity;
using Gateway.Core.Policy;

namespace Gateway.Core.Audit;

/// <summary>
/// Writes one session's frame-log records with the session's identity columns filled in, so protocol code
/// only states what happened. Shared by every protocol; record payloads follow docs/frame-log.md.
/// A <c>command</c> record carries the decision columns; a separate <c>decision</c> record (with the reason)
/// is written only when the decision is not a plain allow, to keep the hot path at one record per command.
/// </summary>
public sealed class SessionAudit
{
    private readonly IFrameLog _log;
    private readonly CaptureConfig _capture;
    private Principal? _principal;
    private string[]? _groups;

    public SessionAudit(IFrameLog log, string sessionId, string listener, string protocol, IPEndPoint remote,
        string target, CaptureConfig capture)
    {
        _log = log;
        _capture = capture;
        SessionId = sessionId;
        Listener = listener;
        Protocol = protocol;
        SourceIp = remote.Address.ToString();
        Target = target;
    }

    public string SessionId { get; }
    public string Listener { get; }
    public string Protocol { get; }
    public string SourceIp { get; }
    public string Target { get; }
    public string? Database { get; set; }
    public CaptureConfig Capture => _capture;

    public long Commands { get; private set; }
    public long Denials { get; private set; }

    /// <summary>Fixes the identity columns for every later record.</summary>
    public void Identify(Principal principal)
    {
        _principal = principal;
        _groups = [.. principal.Groups];
    }

    public FrameRecord NewRecord(string kind, string direction) => new()
    {
        Kind = kind,
        Direction = direction,
        SessionId = SessionId,
        Listener = Listener,
        Protocol = Protocol,
        Subject = _principal?.Subject,
        IdentityKind = _principal is null ? null : _principal.Kind == IdentityKind.Agent ? "agent" : "human",
        Groups = _groups,
        SourceIp = SourceIp,
        Target = Target,
        Database = Database,
    };

    public ValueTask SessionStartAsync(JsonObject payload, CancellationToken cancellationToken)
    {
        var record = NewRecord(FrameKinds.SessionStart, "gateway");
        record.Payload = payload;
        return _log.AppendAsync(record, cancellationToken);
    }

    /// <summary>
    /// Records a command and its decision. Completes when the record is durable to the configured level:
    /// the caller forwards the command only afterwards (audit before forward).
    /// </summary>
    public async ValueTask CommandAsync(Command command, string redactedText, Decision decision, StatementReference? statement,
        CancellationToken cancellationToken)
    {
        Commands++;
        if (decision.IsBlocking)
            Denials++;

        var record = NewRecord(FrameKinds.Command, "client");
        var (text, truncated) = Cap(redactedText, _capture.CommandBytes);
        record.Command = text;
        record.Truncated = truncated;
        record.CommandKind = CommandKinds(command);
        record.Objects = Objects(command);
        record.Decision = decision.ActionName;
        record.RuleId = decision.RuleId;
        record.DirectPayload = new CommandPayload(statement, OriginName(command.Origin), command.ParseError, command.ParseErrorMessage);

        if (decision.Action == DecisionAction.Allow)
        {
            await _log.AppendAsync(record, cancellationToken).ConfigureAwait(false);
            return;
        }

        var decisionRecord = NewRecord(FrameKinds.Decision, "gateway");
        decisionRecord.Decision = decision.ActionName;
        decisionRecord.RuleId = decision.RuleId;
        decisionRecord.DirectPayload = new DecisionPayload(decision);
        await _log.AppendPairAsync(record, decisionRecord, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records a result without making the caller wait: results are recorded after they were forwarded (the
    /// client is not held back for the log), in order behind the session's earlier records; the frame log may
    /// write it with its next commit (<see cref="IFrameLog.Post"/>). A record the log cannot take is lost, as with
    /// <see cref="ResultAsync"/>; the command itself was recorded before it ran.
    /// </summary>
    public void Result(ResultCapture result) => _log.Post(ResultRecord(result));

    public ValueTask ResultAsync(ResultCapture result, CancellationToken cancellationToken) =>
        _log.AppendAsync(ResultRecord(result), cancellationToken);

    private FrameRecord ResultRecord(ResultCapture result)
    {
        var record = NewRecord(FrameKinds.Result, "target");
        record.Rows = result.Rows;
        record.Bytes = result.Bytes;
        record.DurationMs = result.Elapsed.TotalMilliseconds;
        record.DirectPayload = result.ToPayload();
        record.Truncated = result.Truncated;
        return record;
    }

    public ValueTask ErrorAsync(string source, string severity, string code, string message, string? detail,
        CancellationToken cancellationToken)
    {
        var record = NewRecord(FrameKinds.Error, source == "target" ? "target" : "gateway");
        record.Payload = new JsonObject
        {
            ["severity"] = severity,
            ["code"] = code,
            ["message"] = Cap(message, _capture.CommandBytes).Text,
            ["detail"] = detail is null ? null : Cap(detail, _capture.CommandBytes).Text,
            ["source"] = source,
        };
        return _log.AppendAsync(record, cancellationToken);
    }

    /// <summary>
    /// Records a connection refused before identification: why, the code and message the client was sent (or would
    /// have been, had it still been there), and the user, database and application it claimed, if it got that far.
    /// Everything the client chose is cleaned and cut (<see cref="UntrustedText"/>).
    /// </summary>
    /// <remarks>Subject to <paramref name="budget"/>: over it, the refusal is only counted there.</remarks>
    public ValueTask ConnectionRefusedAsync(RefusalKind kind, string reason, string code, string message, ClaimedStartup? claimed,
        TimeSpan duration, RefusalRecordBudget budget, CancellationToken cancellationToken)
    {
        if (!budget.TryTake(out var unrecordedBefore))
            return ValueTask.CompletedTask;
        var record = NewRecord(FrameKinds.ConnectionRefused, "gateway");
        record.DurationMs = duration.TotalMilliseconds;
        record.Payload = new JsonObject
        {
            ["kind"] = RefusalKindNames[(int)kind],
            ["reason"] = UntrustedText.Clean(reason, MaxRefusalTextChars),
            ["code"] = code,
            ["message"] = UntrustedText.Clean(message, MaxRefusalTextChars),
            ["claimed"] = claimed is { } c
                ? new JsonObject
                {
                    ["user"] = UntrustedText.Clean(c.User, MaxClaimedChars),
                    ["database"] = UntrustedText.Clean(c.Database, MaxClaimedChars),
                    ["application_name"] = UntrustedText.Clean(c.ApplicationName, MaxClaimedChars),
                }
                : null,
        };
        if (unrecordedBefore > 0)
            record.Payload["unrecorded_before"] = unrecordedBefore;
        return _log.AppendAsync(record, cancellationToken);
    }

    /// <param name="upstream">
    /// The server session that served this one, when there was one: its id on the target (PostgreSQL's backend process
    /// id, what the server's own log shows) and whether an earlier client session had it first (<c>target.pool</c>).
    /// </param>
    public ValueTask SessionEndAsync(string reason, TimeSpan duration, long bytesIn, long bytesOut,
        (long Backend, bool Reused)? upstream, CancellationToken cancellationToken)
    {
        var record = NewRecord(FrameKinds.SessionEnd, "gateway");
        record.DurationMs = duration.TotalMilliseconds;
        record.Payload = new JsonObject
        {
            ["reason"] = reason,
            ["commands"] = Commands,
            ["denials"] = Denials,
            ["bytes_in"] = bytesIn,
            ["bytes_out"] = bytesOut,
            ["upstream"] = upstream is { } served ? new JsonObject { ["backend"] = served.Backend, ["reused"] = served.Reused } : null,
        };
        return _log.AppendAsync(record, cancellationToken);
    }

    private const int MaxRefusalTextChars = 256;
    private const int MaxClaimedChars = 128;

    private static readonly string[] RefusalKindNames = ["token_refused", "protocol_violation", "handshake_timeout", "startup_refused"];

    private static readonly string[] OriginNames = [.. Enum.GetValues<CommandOrigin>().Select(o => o.ToString().ToLowerInvariant())];

    /// <summary>The payload's <c>origin</c> (the enum name in lower case), without two strings per command.</summary>
    private static string OriginName(CommandOrigin origin) =>
        (uint)origin < (uint)OriginNames.Length ? OriginNames[(int)origin] : origin.ToString().ToLowerInvariant();

    internal static (string Text, bool Truncated) Cap(string text, int maxBytes)
    {
        // Cap by UTF-16 length first (cheap); byte-exactness is not needed for a display cap.
        return text.Length <= maxBytes ? (text, false) : (text[..maxBytes], true);
    }

    private static string CommandKinds(Command command)
    {
        if (command.Statements.Length == 1)
            return command.Statements[0].Kind;
        if (command.ParseError)
            return "parse_error";
        return string.Join(',', command.Statements.Select(s => s.Kind).Distinct());
    }

    /// <summary>The tables and functions (<c>name()</c>) the command touches, sorted ordinally, each once.</summary>
    private static string[]? Objects(Command command)
    {
        if (command.Statements.IsDefaultOrEmpty)
            return null;
        var count = 0;
        foreach (var statement in command.Statements)
            count += statement.Tables.Length + statement.Functions.Length;
        if (count == 0)
            return null;

        // One array, sorted and de-duplicated in place: most commands name one or two objects.
        var objects = new string[count];
        var at = 0;
        foreach (var statement in command.Statements)
        {
            foreach (var table in statement.Tables)
                objects[at++] = table;
            foreach (var function in statement.Functions)
                objects[at++] = function + "()";
        }
        if (count == 1)
            return objects;
        Array.Sort(objects, StringComparer.Ordinal);
        var distinct = 1;
        for (var i = 1; i < count; i++)
        {
            if (!string.Equals(objects[i], objects[distinct - 1], StringComparison.Ordinal))
                objects[distinct++] = objects[i];
        }
        return distinct == count ? objects : objects[..distinct];
    }
}
