using System.Diagnostics;
using Gateway.Core.FrameLog;

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

    /// <summary>
    /// The <c>result</c> record's payload, a snapshot: the capture is reused for the next command before the record
    /// is written. Marks the capture truncated when it counted more rows than it kept.
    /// </summary>
    internal IFramePayload ToPayload()
    {
        if (Columns is null)
            return new ResultPayload(Tag, null, []);
        if (Rows > _rows.Count)
            Truncated = true;
        return new ResultPayload(Tag, Columns, [.. _rows]);
    }
}
