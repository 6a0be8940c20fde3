using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Gateway.Core.FrameLog;

namespace Gateway.Host.Azure;

/// <summary>Seq <see cref="From"/>..<see cref="To"/> (inclusive) of <see cref="Node"/> are not in the workspace.</summary>
public sealed record SeqGap(string Node, long From, long To)
{
    public long Count => To - From + 1;
}

/// <summary>A session read back from Azure: records in (Node, Seq) order, each once, and what is missing around them.</summary>
public sealed record AzureSession(string SessionId, IReadOnlyList<FrameRecord> Records, IReadOnlyList<SeqGap> Gaps, int DuplicatesRemoved);

/// <summary>
/// Reads frame-log records back from a Log Analytics workspace through the query API on Azure.Core's pipeline:
/// <c>POST {endpoint}/v1/workspaces/{id}/query</c> with <c>{"query": ..., "timespan": ...}</c>, token scope
/// <see cref="Scope"/>, answer <c>{"tables":[{"columns":[...],"rows":[[...]]}]}</c>
/// (https://learn.microsoft.com/rest/api/loganalytics/dataaccess/query/execute).
/// </summary>
public sealed class LogAnalyticsQueryClient : IDisposable
{
    public const string Scope = "https://api.loganalytics.io/.default";
    public const string DefaultTable = "GatewayFrames_CL";
    public static readonly Uri DefaultEndpoint = new("https://api.loganalytics.io");

    private static readonly string[] RecordColumns =
    [
        "TimeGenerated", "Seq", "Hash", "PrevHash", "Node", "SessionId", "Listener", "Protocol", "Kind", "Direction",
        "Subject", "IdentityKind", "Groups", "SourceIp", "Target", "Database", "Command", "CommandKind", "Objects",
        "Decision", "RuleId", "Rows", "Bytes", "DurationMs", "Payload", "Truncated",
    ];

    /// <summary>Records of other sessions interleave, so the gap search looks this far around the session's span.</summary>
    private static readonly TimeSpan GapSearchSlack = TimeSpan.FromHours(1);

    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;
    private readonly IDisposable? _transport;

    public LogAnalyticsQueryClient(TokenCredential credential, LogAnalyticsQueryClientOptions? options = null, Uri? endpoint = null)
    {
        options ??= new LogAnalyticsQueryClientOptions();
        _transport = options.Transport as IDisposable;
        _endpoint = endpoint ?? DefaultEndpoint;
        _pipeline = HttpPipelineBuilder.Build(options, [], [new BearerTokenAuthenticationPolicy(credential, Scope)], new ResponseClassifier());
    }

    /// <param name="timespan">Limits the data the query sees (sent as ISO 8601 <c>timespan</c>); null: as the query says.</param>
    /// <exception cref="RequestFailedException">The service answered with an error.</exception>
    /// <exception cref="InvalidDataException">The answer is not the documented shape, or carries a partial-result error.</exception>
    public async Task<QueryTable> QueryAsync(string workspaceId, string query, TimeSpan? timespan, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(_endpoint);
        request.Uri.AppendPath("/v1/workspaces/", false);
        request.Uri.AppendPath(workspaceId, true);
        request.Uri.AppendPath("/query", false);
        request.Headers.SetValue("Content-Type", "application/json");
        request.Content = RequestContent.Create(QueryBody(query, timespan));
        message.BufferResponse = true;

        await _pipeline.SendAsync(message, cancellationToken);
        var response = message.Response;
        if (response.Status != 200)
            throw new RequestFailedException(response);

        using var document = JsonDocument.Parse(response.Content.ToMemory());
        if (document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            throw new InvalidDataException($"the query returned a partial result: {error}");
        return QueryTable.Parse(document.RootElement);
    }

    /// <summary>
    /// One session's records, deduplicated by Node + Seq (delivery is at-least-once), in (Node, Seq) order, and the
    /// Seq gaps of its nodes between its first and last record: frames the workspace lacks (not yet shipped,
    /// dropped under drop_oldest, or lost), which may include this session's own.
    /// </summary>
    public async Task<AzureSession> ReadSessionAsync(string workspaceId, string sessionId, TimeSpan? lookback = null,
        string table = DefaultTable, CancellationToken cancellationToken = default)
    {
        var query = $"{table}\n| where SessionId == {Kql.Quote(sessionId)}\n| project {string.Join(", ", RecordColumns)}";
        var rows = await QueryAsync(workspaceId, query, lookback, cancellationToken);

        var unique = new Dictionary<(string Node, long Seq), FrameRecord>();
        foreach (var row in rows.Rows)
        {
            var record = FrameRecordRows.ToRecord(rows, row);
            unique.TryAdd((record.Node, record.Seq), record);
        }
        var records = unique.Values.OrderBy(r => r.Node, StringComparer.Ordinal).ThenBy(r => r.Seq).ToList();

        var gaps = new List<SeqGap>();
        foreach (var node in records.GroupBy(r => r.Node))
            gaps.AddRange(await FindGapsAsync(workspaceId, table, node.Key, [.. node], cancellationToken));
        return new AzureSession(sessionId, records, gaps, rows.Rows.Count - records.Count);
    }

    private async Task<IEnumerable<SeqGap>> FindGapsAsync(string workspaceId, string table, string node, List<FrameRecord> records,
        CancellationToken cancellationToken)
    {
        var first = records[0];
        var last = records[^1];
        if (last.Seq - first.Seq + 1 == records.Count)
            return []; // the session's own records are contiguous: nothing can be missing between them
        var from = records.Min(r => r.TimeGenerated) - GapSearchSlack;
        var to = records.Max(r => r.TimeGenerated) + GapSearchSlack;
        var query = $"""
            {table}
            | where TimeGenerated between ({Kql.DateTime(from)} .. {Kql.DateTime(to)})
            | where Node == {Kql.Quote(node)} and Seq between ({Kql.Long(first.Seq)} .. {Kql.Long(last.Seq)})
            | distinct Seq
            | order by Seq asc
            | extend PrevSeq = prev(Seq)
            | where isnotnull(PrevSeq) and Seq > PrevSeq + 1
            | project MissingFrom = PrevSeq + 1, MissingTo = Seq - 1
            """;
        var result = await QueryAsync(workspaceId, query, null, cancellationToken);
        return result.Rows.Select(row => new SeqGap(node,
            result.Cell(row, "MissingFrom")?.GetInt64() ?? throw new InvalidDataException("gap row without MissingFrom"),
            result.Cell(row, "MissingTo")?.GetInt64() ?? throw new InvalidDataException("gap row without MissingTo")));
    }

    public void Dispose() => _transport?.Dispose();

    private static byte[] QueryBody(string query, TimeSpan? timespan)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("query", query);
            if (timespan is { } span)
                json.WriteString("timespan", System.Xml.XmlConvert.ToString(span)); // ISO 8601 duration, e.g. P7D
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
