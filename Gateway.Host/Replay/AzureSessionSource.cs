using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Gateway.Host.Azure;

namespace Gateway.Host.Replay;

/// <summary>
/// Sessions from a Log Analytics workspace the frame log was shipped to (<c>GatewayFrames_CL</c>), read through the
/// query API with <see cref="LogAnalyticsQueryClient"/>: records deduplicated by Node + Seq (delivery is
/// at-least-once), and the Seq gaps around a session reported as <see cref="SessionRecording.Warnings"/>.
/// </summary>
public sealed class AzureSessionSource(LogAnalyticsQueryClient client, string workspaceId, TimeSpan? lookback = null,
    string table = LogAnalyticsQueryClient.DefaultTable) : ISessionSource, IDisposable
{
    /// <summary>A prefix search stops after this many ids: enough to say it is ambiguous.</summary>
    private const int PrefixMatchLimit = 6;

    public async IAsyncEnumerable<SessionSummary> ListAsync(SessionQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // No timespan: the window is in the query, and a session's records before it still count.
        var result = await client.QueryAsync(workspaceId, ListQuery(query), null, cancellationToken).ConfigureAwait(false);
        foreach (var row in result.Rows)
        {
            if (Text(result, row, "SessionId") is not { } id)
                continue;
            yield return new SessionSummary
            {
                SessionId = id,
                Subject = Text(result, row, "Subject"),
                IdentityKind = Text(result, row, "IdentityKind"),
                Protocol = Text(result, row, "Protocol"),
                Listener = Text(result, row, "Listener"),
                Target = Text(result, row, "Target"),
                Database = Text(result, row, "Database"),
                SourceIp = Text(result, row, "SourceIp"),
                Start = Time(result, row, "Start") ?? default,
                End = Time(result, row, "End"),
                LastActivity = Time(result, row, "LastActivity") ?? default,
                Commands = (int)(Number(result, row, "Commands") ?? 0),
                Denials = (int)(Number(result, row, "Denials") ?? 0),
                EndReason = Text(result, row, "EndReason"),
            };
        }
    }

    public async Task<SessionRecording?> LoadAsync(string sessionIdOrPrefix, CancellationToken cancellationToken)
    {
        var session = await client.ReadSessionAsync(workspaceId, sessionIdOrPrefix, lookback, table, cancellationToken).ConfigureAwait(false);
        if (session.Records.Count == 0)
        {
            var matches = await SessionsStartingWithAsync(sessionIdOrPrefix, cancellationToken).ConfigureAwait(false);
            if (matches.Count > 1)
                throw new AmbiguousSessionException(sessionIdOrPrefix, matches);
            if (matches.Count == 0)
                return null;
            session = await client.ReadSessionAsync(workspaceId, matches[0], lookback, table, cancellationToken).ConfigureAwait(false);
            if (session.Records.Count == 0)
                return null;
        }

        var builder = new SessionSummaryBuilder(session.SessionId);
        foreach (var record in session.Records)
            builder.Add(record);
        return new SessionRecording(builder.Build(), session.Records)
        {
            Warnings = [.. session.Gaps.Select(GapWarning)],
        };
    }

    public void Dispose() => client.Dispose();

    private static string GapWarning(SeqGap gap) => string.Create(CultureInfo.InvariantCulture,
        $"node {gap.Node}: Seq {gap.From}..{gap.To} ({gap.Count} record{(gap.Count == 1 ? "" : "s")}) not in the workspace (not shipped yet, dropped, or lost); frames of this session may be missing, the node's local log has them while it keeps them");

    private async Task<List<string>> SessionsStartingWithAsync(string prefix, CancellationToken cancellationToken)
    {
        var query = $"{table}\n| where SessionId startswith_cs {Kql.Quote(prefix)}\n| distinct SessionId\n| take {PrefixMatchLimit}";
        var result = await client.QueryAsync(workspaceId, query, lookback, cancellationToken).ConfigureAwait(false);
        return [.. result.Rows.Select(row => Text(result, row, "SessionId")).OfType<string>().Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// One row per session, as <see cref="SessionSummaryBuilder"/> folds the local log: counted over records
    /// deduplicated by Node + Seq. <c>--since</c> picks the sessions with a record in the window, but each is summed
    /// over all its records, so a session's start is its true start.
    /// </summary>
    private string ListQuery(SessionQuery query)
    {
        var active = query.ActiveSince is { } since
            ? $"let active = {table} | where TimeGenerated >= {Kql.DateTime(since)} | distinct SessionId;\n"
            : "";
        var activeFilter = active.Length > 0 ? "\n| where SessionId in (active)" : "";
        var subjectFilter = query.Subject is { } subject ? $"\n| where Subject == {Kql.Quote(subject)}" : "";
        return $"""
            {active}{table}
            | where isnotempty(SessionId) and Kind != "connection_refused"{activeFilter}
            | summarize arg_max(TimeGenerated, *) by Node, Seq
            | summarize Start = min(TimeGenerated), LastActivity = max(TimeGenerated),
                End = maxif(TimeGenerated, Kind == "session_end"),
                Commands = countif(Kind == "command"),
                Denials = countif(Kind == "decision" and Decision == "deny"),
                Subject = take_anyif(Subject, isnotempty(Subject)),
                IdentityKind = take_anyif(IdentityKind, isnotempty(IdentityKind)),
                Protocol = take_anyif(Protocol, isnotempty(Protocol)),
                Listener = take_anyif(Listener, isnotempty(Listener)),
                Target = take_anyif(Target, isnotempty(Target)),
                Database = take_anyif(Database, isnotempty(Database)),
                SourceIp = take_anyif(SourceIp, isnotempty(SourceIp)),
                EndReason = take_anyif(tostring(Payload.reason), Kind == "session_end")
                by SessionId{subjectFilter}
            | order by Start asc
            """;
    }

    // Log Analytics has no null strings: an absent value reads back as "".
    private static string? Text(QueryTable table, JsonElement[] row, string column) =>
        table.Cell(row, column) is { ValueKind: JsonValueKind.String } cell && cell.GetString() is { Length: > 0 } text ? text : null;

    private static long? Number(QueryTable table, JsonElement[] row, string column) => table.Cell(row, column) switch
    {
        { ValueKind: JsonValueKind.Number } cell when cell.TryGetInt64(out var value) => value,
        { ValueKind: JsonValueKind.String } cell when long.TryParse(cell.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) => value,
        _ => null,
    };

    private static DateTimeOffset? Time(QueryTable table, JsonElement[] row, string column) =>
        Text(table, row, column) is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : null;
}
