using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Core.FrameLog;

namespace Gateway.Host.Replay;

/// <summary>
/// Turns a recorded session into what its client saw, psql style: a prompt with the database name and the
/// command text, denials as the <c>ERROR:</c> the client got, results in psql's aligned format, target errors,
/// and the session end. Each record becomes one frame at its offset from the session start, so players can
/// keep the original timing. The record payloads follow docs/frame-log.md.
/// </summary>
public static class TranscriptRenderer
{
    public static IReadOnlyList<TranscriptFrame> Render(SessionRecording recording)
    {
        var frames = new List<TranscriptFrame>();
        if (recording.Records.Count == 0)
            return frames;
        var start = recording.Records[0].TimeGenerated;
        var database = recording.Summary.Database ?? "";
        foreach (var record in recording.Records)
        {
            var at = record.TimeGenerated - start;
            var (text, style) = record.Kind switch
            {
                FrameKinds.SessionStart => (SessionStart(record, recording.Summary), TranscriptStyle.Note),
                FrameKinds.Command => (Command(record, database), TranscriptStyle.Input),
                FrameKinds.Decision => Decision(record),
                FrameKinds.Result => (Result(record), TranscriptStyle.Output),
                FrameKinds.Error => (Error(record), TranscriptStyle.Error),
                FrameKinds.SessionEnd => (SessionEnd(record), TranscriptStyle.Note),
                FrameKinds.ConnectionRefused => (ConnectionRefused(record), TranscriptStyle.Error),
                _ => ("", TranscriptStyle.Note),
            };
            if (record.Kind == FrameKinds.SessionStart && record.Database is { } db)
                database = db;
            if (text.Length > 0)
                frames.Add(new TranscriptFrame(at < TimeSpan.Zero ? TimeSpan.Zero : at, text, style));
        }
        return frames;
    }

    private static string SessionStart(FrameRecord record, SessionSummary summary)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"-- session {summary.SessionId}: {record.Subject ?? "?"}");
        if (record.IdentityKind is { } kind)
            text.Append(CultureInfo.InvariantCulture, $" ({kind})");
        if (record.SourceIp is { } ip)
            text.Append(CultureInfo.InvariantCulture, $" from {ip}");
        if (record.Target is { } target)
            text.Append(CultureInfo.InvariantCulture, $" to {target}");
        if (record.Database is { } database)
            text.Append(CultureInfo.InvariantCulture, $" database {database}");
        text.Append(CultureInfo.InvariantCulture, $" at {record.TimeGenerated.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z\n");
        if (record.Payload?["tls"] is JsonObject tls)
            text.Append(CultureInfo.InvariantCulture, $"SSL connection (protocol: {tls["protocol"]}, cipher: {tls["cipher"]})\n");
        text.Append('\n');
        return text.ToString();
    }

    private static string Command(FrameRecord record, string database)
    {
        var text = new StringBuilder();
        var lines = (record.Command ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
            text.Append(Prompt(record.Protocol, database, continuation: i > 0)).Append(lines[i]).Append('\n');
        if (record.Truncated)
            text.Append("-- (command text cut to the capture limit in the log)\n");
        if (record.Payload?["parameters"] is JsonArray parameters && parameters.Count > 0)
        {
            text.Append("-- parameters: ");
            for (var i = 0; i < parameters.Count; i++)
            {
                if (i > 0)
                    text.Append(", ");
                text.Append(CultureInfo.InvariantCulture, $"${i + 1} = ");
                text.Append(parameters[i] is null ? "NULL" : $"'{parameters[i]}'");
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    private static string Prompt(string? protocol, string database, bool continuation) => protocol switch
    {
        null or "postgres" => continuation ? $"{database}-> " : $"{database}=> ",
        _ => continuation ? "    -> " : $"{protocol}> ",
    };

    private static (string, TranscriptStyle) Decision(FrameRecord record)
    {
        var message = record.Payload?["message"]?.ToString();
        var rule = record.RuleId ?? "default";
        var action = record.Decision ?? record.Payload?["action"]?.ToString();
        return action switch
        {
            "allow" or null => ("", TranscriptStyle.Note),
            "deny" => ($"ERROR:  denied by rule {rule}{(message is null ? "" : ": " + message)}\n", TranscriptStyle.Error),
            "require_approval" => ($"ERROR:  approval required by rule {rule}{(message is null ? "" : ": " + message)}\n", TranscriptStyle.Error),
            _ => ($"-- {action} by rule {rule}{(message is null ? "" : ": " + message)}\n", TranscriptStyle.Note),
        };
    }

    private static string Result(FrameRecord record)
    {
        var payload = record.Payload;
        var text = new StringBuilder();
        if (payload?["columns"] is JsonArray columnArray && columnArray.Count > 0)
        {
            var columns = columnArray.Select(c => c?.ToString() ?? "").ToList();
            var rows = new List<IReadOnlyList<string?>>();
            if (payload["rows"] is JsonArray rowArray)
            {
                foreach (var row in rowArray.OfType<JsonArray>())
                    rows.Add(row.Select(cell => cell?.ToString()).ToList());
            }
            PsqlTable.Append(text, columns, rows);
            var total = record.Rows ?? rows.Count;
            if (total > rows.Count)
                text.Append(CultureInfo.InvariantCulture, $"-- {total - rows.Count} more rows not captured in the log\n");
            text.Append(PsqlTable.RowCount(total)).Append("\n\n");
        }
        else if (payload?["tag"] is { } tag)
        {
            text.Append(tag.ToString()).Append('\n');
        }
        return text.ToString();
    }

    private static string Error(FrameRecord record)
    {
        var payload = record.Payload;
        var severity = payload?["severity"]?.ToString() ?? "ERROR";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{severity}:  {payload?["message"]}\n");
        if (payload?["detail"] is { } detail)
            text.Append(CultureInfo.InvariantCulture, $"DETAIL:  {detail}\n");
        return text.ToString();
    }

    private static string SessionEnd(FrameRecord record)
    {
        var payload = record.Payload;
        var duration = record.DurationMs is { } ms ? " after " + FormatDuration(TimeSpan.FromMilliseconds(ms)) : "";
        // The backend that served the session, as the target's own log names it (%p in PostgreSQL's log_line_prefix).
        var backend = payload?["upstream"] is JsonObject upstream
            ? $"; target backend {upstream["backend"]}{(upstream["reused"] is JsonValue reused && reused.GetValue<bool>() ? " (reused)" : "")}"
            : "";
        return $"-- session ended ({payload?["reason"] ?? "unknown"}){duration}: {payload?["commands"] ?? 0} commands, "
            + $"{payload?["denials"] ?? 0} denied, {payload?["bytes_in"] ?? 0} bytes in, {payload?["bytes_out"] ?? 0} bytes out{backend}\n";
    }

    private static string ConnectionRefused(FrameRecord record)
    {
        var payload = record.Payload;
        var claims = payload?["claimed"] is { } c
            ? new[] { ("user", c["user"]), ("database", c["database"]) }.Where(f => f.Item2 is not null).Select(f => $"{f.Item1} {f.Item2}").ToList()
            : [];
        var claimed = claims.Count > 0 ? $" (claimed {string.Join(", ", claims)})" : "";
        return $"-- connection from {record.SourceIp} refused before identification{claimed}: {payload?["reason"] ?? "unknown"}\n"
            + $"FATAL:  {payload?["message"]}\n";
    }

    internal static string FormatDuration(TimeSpan duration) =>
        duration.TotalHours >= 1 ? $"{(int)duration.TotalHours}h{duration.Minutes:D2}m{duration.Seconds:D2}s"
        : duration.TotalMinutes >= 1 ? $"{duration.Minutes}m{duration.Seconds:D2}s"
        : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###}s");
}
