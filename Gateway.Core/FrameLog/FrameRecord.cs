using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Gateway.Core.FrameLog;

/// <summary>
/// One frame-log record: a JSON object per line locally and the same columns in Azure Monitor
/// (DESIGN.md "Contracts"; add columns, never rename). Protocol sessions fill the descriptive columns;
/// the writer assigns <see cref="TimeGenerated"/>, <see cref="Seq"/>, <see cref="PrevHash"/>,
/// <see cref="Hash"/> and <see cref="Node"/> when the record joins the chain.
/// </summary>
public sealed class FrameRecord
{
    public DateTimeOffset TimeGenerated { get; set; }
    public long Seq { get; set; }
    public string Hash { get; set; } = "";
    public string PrevHash { get; set; } = "";
    public string Node { get; set; } = "";

    public string? SessionId { get; set; }
    public string? Listener { get; set; }
    public string? Protocol { get; set; }

    /// <summary>A name from <see cref="FrameKinds"/>.</summary>
    public required string Kind { get; set; }

    /// <summary><c>client</c> (client to target), <c>target</c> (target to client) or <c>gateway</c>.</summary>
    public string? Direction { get; set; }

    public string? Subject { get; set; }
    public string? IdentityKind { get; set; }
    public string[]? Groups { get; set; }
    public string? SourceIp { get; set; }
    public string? Target { get; set; }
    public string? Database { get; set; }

    /// <summary>The command text, redacted (secret literals and detector matches replaced).</summary>
    public string? Command { get; set; }

    /// <summary>Statement kinds of the command, comma separated (e.g. <c>select</c>, <c>with,delete</c>).</summary>
    public string? CommandKind { get; set; }

    /// <summary>Tables and functions the command touches.</summary>
    public string[]? Objects { get; set; }

    public string? Decision { get; set; }
    public string? RuleId { get; set; }
    public long? Rows { get; set; }
    public long? Bytes { get; set; }
    public double? DurationMs { get; set; }

    /// <summary>Kind-specific detail (identity, result rows as the client saw them, error fields, ...).</summary>
    public JsonObject? Payload { get; set; }

    /// <summary>
    /// The payload of a record built for every command, written straight into the line instead of through
    /// <see cref="Payload"/>'s node tree. A record sets one of the two; a record read back has <see cref="Payload"/>.
    /// Not a column: internal, so the public properties stay exactly the record's columns.
    /// </summary>
    internal IFramePayload? DirectPayload { get; set; }

    /// <summary>True when the payload or command was cut to the capture caps.</summary>
    public bool Truncated { get; set; }
}

/// <summary>Record kinds (the <c>Kind</c> column).</summary>
public static class FrameKinds
{
    public const string SessionStart = "session_start";
    public const string Command = "command";
    public const string Decision = "decision";
    public const string Result = "result";
    public const string Error = "error";
    public const string SessionEnd = "session_end";

    /// <summary>
    /// A connection the gateway ended before any identity was established (protocol violation, handshake timeout,
    /// refused token or startup): no session began, so it has no <c>session_start</c> and no <c>Subject</c>. What
    /// the client claimed (user, database) is in the payload, unverified.
    /// </summary>
    public const string ConnectionRefused = "connection_refused";
    public const string Recovery = "recovery";
    public const string Checkpoint = "checkpoint";

    /// <summary>Written when retention deleted old segments: names them and the hash the remaining log starts from.</summary>
    public const string Retention = "retention";
}
