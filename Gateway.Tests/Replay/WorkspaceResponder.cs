using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Core.FrameLog;
using Gateway.Host.Replay;

namespace Gateway.Tests.Replay;

/// <summary>
/// Answers the queries <see cref="AzureSessionSource"/> sends the query fixture as Log Analytics would over a
/// workspace holding <see cref="Rows"/> (frame-log records as the Logs Ingestion API stores them: absent strings
/// empty, <c>dynamic</c> columns returned as JSON text, datetimes as ISO 8601). It does not run KQL: it recognises
/// each query the source sends and computes that query's documented result from the rows.
/// </summary>
internal sealed partial class WorkspaceResponder(IReadOnlyList<FrameRecord> rows)
{
    private static readonly (string Name, string Type)[] RecordColumns =
    [
        ("TimeGenerated", "datetime"), ("Seq", "long"), ("Hash", "string"), ("PrevHash", "string"), ("Node", "string"),
        ("SessionId", "string"), ("Listener", "string"), ("Protocol", "string"), ("Kind", "string"), ("Direction", "string"),
        ("Subject", "string"), ("IdentityKind", "string"), ("Groups", "dynamic"), ("SourceIp", "string"), ("Target", "string"),
        ("Database", "string"), ("Command", "string"), ("CommandKind", "string"), ("Objects", "dynamic"), ("Decision", "string"),
        ("RuleId", "string"), ("Rows", "long"), ("Bytes", "long"), ("DurationMs", "real"), ("Payload", "dynamic"), ("Truncated", "bool"),
    ];

    /// <summary>The workspace: may hold a record twice (at-least-once delivery) or lack some (gaps).</summary>
    public IReadOnlyList<FrameRecord> Rows { get; } = rows;

    public (IReadOnlyList<(string Name, string Type)> Columns, IReadOnlyList<JsonNode?[]> Rows)? Answer(string query)
    {
        if (query.Contains("prev(Seq)", StringComparison.Ordinal))
            return Gaps(query);
        if (query.Contains("startswith_cs", StringComparison.Ordinal))
        {
            var prefix = Quoted(StartsWith(), query);
            return ([("SessionId", "string")],
                [.. Rows.Select(r => r.SessionId).OfType<string>().Distinct().Where(id => id.StartsWith(prefix, StringComparison.Ordinal)).Select(id => new JsonNode?[] { id })]);
        }
        if (query.Contains("summarize Start", StringComparison.Ordinal))
            return Sessions(query);
        if (query.Contains("where SessionId ==", StringComparison.Ordinal))
        {
            var id = Quoted(SessionIs(), query);
            return (RecordColumns, [.. Rows.Where(r => r.SessionId == id).Select(ToRow)]);
        }
        return null;
    }

    private (IReadOnlyList<(string, string)>, IReadOnlyList<JsonNode?[]>) Gaps(string query)
    {
        var match = NodeAndRange().Match(query);
        var node = match.Groups[1].Value;
        var (from, to) = (long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
        var present = Rows.Where(r => r.Node == node && r.Seq >= from && r.Seq <= to).Select(r => r.Seq).Distinct().Order().ToList();
        var gaps = new List<JsonNode?[]>();
        for (var i = 1; i < present.Count; i++)
        {
            if (present[i] > present[i - 1] + 1)
                gaps.Add([present[i - 1] + 1, present[i] - 1]);
        }
        return ([("MissingFrom", "long"), ("MissingTo", "long")], gaps);
    }

    private (IReadOnlyList<(string, string)>, IReadOnlyList<JsonNode?[]>) Sessions(string query)
    {
        var subject = SubjectIs().Match(query) is { Success: true } m ? Unescape(m.Groups[1].Value) : null;
        var since = SinceIs().Match(query) is { Success: true } s
            ? DateTimeOffset.Parse(s.Groups[1].Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : (DateTimeOffset?)null;
        var unique = Rows.GroupBy(r => (r.Node, r.Seq)).Select(g => g.First());
        var summaries = unique.Where(r => r.SessionId is not null).GroupBy(r => r.SessionId!).Select(g =>
        {
            var builder = new SessionSummaryBuilder(g.Key);
            foreach (var record in g.OrderBy(r => r.Seq))
                builder.Add(record);
            return builder.Build();
        });
        var rows = summaries
            .Where(x => (subject is null || x.Subject == subject) && (since is null || x.LastActivity >= since))
            .OrderBy(x => x.Start)
            .Select(x => new JsonNode?[]
            {
                x.SessionId, Time(x.Start), Time(x.LastActivity), x.End is { } end ? Time(end) : null, x.Commands, x.Denials,
                x.Subject ?? "", x.IdentityKind ?? "", x.Protocol ?? "", x.Listener ?? "", x.Target ?? "", x.Database ?? "", x.SourceIp ?? "", x.EndReason ?? "",
            });
        return ([("SessionId", "string"), ("Start", "datetime"), ("LastActivity", "datetime"), ("End", "datetime"), ("Commands", "long"), ("Denials", "long"),
            ("Subject", "string"), ("IdentityKind", "string"), ("Protocol", "string"), ("Listener", "string"), ("Target", "string"), ("Database", "string"),
            ("SourceIp", "string"), ("EndReason", "string")], [.. rows]);
    }

    private static JsonNode?[] ToRow(FrameRecord r) =>
    [
        Time(r.TimeGenerated), r.Seq, r.Hash, r.PrevHash, r.Node, r.SessionId ?? "", r.Listener ?? "", r.Protocol ?? "", r.Kind, r.Direction ?? "",
        r.Subject ?? "", r.IdentityKind ?? "", Dynamic(r.Groups), r.SourceIp ?? "", r.Target ?? "", r.Database ?? "", r.Command ?? "",
        r.CommandKind ?? "", Dynamic(r.Objects), r.Decision ?? "", r.RuleId ?? "", r.Rows, r.Bytes, r.DurationMs,
        r.Payload?.ToJsonString() ?? "", r.Truncated,
    ];

    private static string Dynamic(string[]? values) => values is null ? "" : JsonSerializer.Serialize(values);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    private static string Quoted(Regex pattern, string query) => Unescape(pattern.Match(query).Groups[1].Value);

    private static string Unescape(string literal) => Regex.Replace(literal, @"\\(.)", "$1");

    [GeneratedRegex("""Node == "([^"]*)" and Seq between \((\d+) \.\. (\d+)\)""")]
    private static partial Regex NodeAndRange();

    [GeneratedRegex(@"startswith_cs ""((?:[^""\\]|\\.)*)""")]
    private static partial Regex StartsWith();

    [GeneratedRegex("""SessionId == "((?:[^"\\]|\\.)*)"$""", RegexOptions.Multiline)]
    private static partial Regex SessionIs();

    [GeneratedRegex("""Subject == "((?:[^"\\]|\\.)*)"$""", RegexOptions.Multiline)]
    private static partial Regex SubjectIs();

    [GeneratedRegex(@"TimeGenerated >= datetime\(([^)]*)\) \| distinct SessionId")]
    private static partial Regex SinceIs();
}
