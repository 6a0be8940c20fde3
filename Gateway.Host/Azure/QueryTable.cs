using System.Text.Json;

namespace Gateway.Host.Azure;

/// <summary>
/// The first table of a Log Analytics query response (<c>tables[0]</c>: <c>columns[{name,type}]</c>, <c>rows[[...]]</c>).
/// Cells stay <see cref="JsonElement"/>s until a caller reads them by column name.
/// </summary>
public sealed class QueryTable
{
    private readonly Dictionary<string, int> _index;

    public QueryTable(IReadOnlyList<(string Name, string Type)> columns, IReadOnlyList<JsonElement[]> rows)
    {
        Columns = columns;
        Rows = rows;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
            _index.TryAdd(columns[i].Name, i);
    }

    public IReadOnlyList<(string Name, string Type)> Columns { get; }
    public IReadOnlyList<JsonElement[]> Rows { get; }

    /// <summary>The cell of <paramref name="column"/> in <paramref name="row"/>, or null when the column is absent or the cell is null.</summary>
    public JsonElement? Cell(JsonElement[] row, string column) =>
        _index.TryGetValue(column, out var i) && i < row.Length && row[i].ValueKind != JsonValueKind.Null ? row[i] : null;

    /// <exception cref="InvalidDataException">The response is not the documented shape.</exception>
    public static QueryTable Parse(JsonElement response)
    {
        if (response.ValueKind != JsonValueKind.Object
            || !response.TryGetProperty("tables", out var tables) || tables.ValueKind != JsonValueKind.Array || tables.GetArrayLength() == 0)
            throw new InvalidDataException("query response has no tables");
        var table = tables[0];
        if (!table.TryGetProperty("columns", out var columnArray) || !table.TryGetProperty("rows", out var rowArray)
            || columnArray.ValueKind != JsonValueKind.Array || rowArray.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException("query table lacks columns or rows");

        var columns = new List<(string, string)>();
        foreach (var column in columnArray.EnumerateArray())
            columns.Add((column.GetProperty("name").GetString() ?? "", column.TryGetProperty("type", out var t) ? t.GetString() ?? "" : ""));
        var rows = new List<JsonElement[]>();
        foreach (var row in rowArray.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != columns.Count)
                throw new InvalidDataException("a query row does not match the columns");
            rows.Add([.. row.EnumerateArray().Select(cell => cell.Clone())]);
        }
        return new QueryTable(columns, rows);
    }
}
