using Gateway.Core.FrameLog;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;
using Gateway.Protocols.Postgres.Session;

namespace Gateway.Host.Backtest;

/// <summary>
/// Turns a recorded <c>command</c> record back into the <see cref="Command"/> the session judged: SQL text is analysed
/// again with the PostgreSQL analyser (EXECUTE inheriting the session's SQL PREPAREs), protocol requests are rebuilt
/// from their recorded text by <see cref="ProtocolCommands"/>. The recorded text is redacted (secret literals read
/// <c>'***'</c>), which changes no statement kind, table or function.
/// </summary>
internal sealed class RecordedCommandRebuilder(SqlAnalyzer analyzer)
{
    /// <returns>The command, or null with <paramref name="skipReason"/> saying why it cannot be judged again.</returns>
    public Command? Rebuild(FrameRecord record, RecordedSessionState session, out string? skipReason)
    {
        skipReason = null;
        if (record.Protocol != SqlAnalyzer.Protocol)
        {
            skipReason = $"no analyser for protocol '{record.Protocol}'";
            return null;
        }
        if (record.Command is not { } text)
        {
            skipReason = "no command text";
            return null;
        }
        if (record.Truncated)
        {
            skipReason = "text cut to audit.capture.command_bytes";
            return null;
        }
        if (!TryReadOrigin(record, out var origin))
        {
            skipReason = $"unknown origin '{record.Payload?["origin"]}'";
            return null;
        }

        switch (origin)
        {
            case CommandOrigin.FunctionCall:
                if (ProtocolCommands.TryParseFunctionCall(text, out var call))
                    return call;
                skipReason = "unreadable function call text";
                return null;
            case CommandOrigin.Replication:
                if (ProtocolCommands.TryParseReplication(text, out var replication))
                    return replication;
                skipReason = "unreadable replication text";
                return null;
            case CommandOrigin.Query or CommandOrigin.Prepare or CommandOrigin.Execute:
                // Parse analyses as Prepare; Execute records carry the statement's text with the Prepare analysis.
                var analysed = analyzer.Analyze(text, origin == CommandOrigin.Query ? CommandOrigin.Query : CommandOrigin.Prepare);
                if (analysed.ParseError && record.Payload?["parse_error"] is null)
                {
                    // It parsed when recorded: redaction (or a detector mask) broke the text, not the client.
                    skipReason = "redacted text does not parse";
                    return null;
                }
                var command = session.Prepared.Inherit(analysed);
                return origin == CommandOrigin.Execute ? command with { Origin = CommandOrigin.Execute } : command;
            default:
                skipReason = $"origin '{origin}' is not a PostgreSQL command";
                return null;
        }
    }

    /// <summary>The session's <c>origin</c> payload field: the enum name in lower case (<c>functioncall</c>); <c>function_call</c> is read too.</summary>
    private static bool TryReadOrigin(FrameRecord record, out CommandOrigin origin)
    {
        origin = default;
        var text = record.Payload?["origin"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? record.Payload["origin"]!.GetValue<string>()
            : null;
        return text is not null
            && Enum.TryParse(text.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out origin)
            && Enum.IsDefined(origin);
    }
}
