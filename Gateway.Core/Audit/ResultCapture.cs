using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Gateway.Core.Audit;

/// <summary>
/// Accumulates what the client saw of one result: counts, timing and the first rows (already masked),
/// each value capped. Reused per command by the protocol's result path.
/// </summary>
public sealed class ResultCapture
{
    private readonly int _maxRows;
    private readonly int _maxValueBytes;
    private readonly List<string?[]> _rows = [];
    private long _startedAt;

    public ResultCapture(int maxRows, int maxValueBytes)
    {
        _maxRows = maxRows;
        _maxValueBytes = maxValueBytes;
    }

    public string? Tag { get; set; }
    public string[]? Columns { get; private set; }
    public long Rows { get; private set; }
    public long Bytes { get; private set; }

    /// <summary>Counts one row (a DataRow, a COPY line) of <paramref name="bytes"/> bytes toward the result's totals.</summary>
    public void Count(long bytes)
    {
        Rows++;
        Bytes += bytes;
    }
    public bool Truncated { get; set; }
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startedAt);

    /// <summary>Whether the next row should be captured (callers skip decoding otherwise).</summary>
    public bool WantsRow => _rows.Count < _maxRows && Columns is not null;

    public void Start()
    {
        _startedAt = Stopwatch.GetTimestamp();
        Tag = null;
        Columns = null;
        Rows = 0;
        Bytes = 0;
        Truncated = false;
        _rows.Clear();
    }

    public void SetColumns(string[] columns) => Columns = columns;

    /// <summary>Adds one captured row; values longer than the cap are cut and the record marked truncated.</summary>
    public void AddRow(string?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is { } value && value.Length > _maxValueBytes)
            {
                values[i] = value[.._maxValueBytes];
                Truncated = true;
            }
        }
        _rows.Add(values);
    }

    public JsonObject ToPayload()
    {
        var payload = new JsonObject { ["tag"] = Tag };
        if (Columns is not null)
        {
            payload["columns"] = new JsonArray([.. Columns.Select(c => (JsonNode?)c)]);
            payload["rows"] = new JsonArray([.. _rows.Select(r => (JsonNode?)new JsonArray([.. r.Select(v => (JsonNode?)v)]))]);
            if (Rows > _rows.Count)
                Truncated = true;
        }
        return payload;
    }
}
