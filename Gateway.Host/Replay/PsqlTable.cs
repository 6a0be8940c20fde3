using System.Text;

namespace Gateway.Host.Replay;

/// <summary>
/// Renders a result the way psql's default aligned format does (border 1): a centred header padded on both
/// sides, a dashed separator with <c>+</c> at column boundaries, numbers right-aligned, the last left-aligned
/// column unpadded, and <c>(N rows)</c>. The log keeps cells as text, so a column counts as numeric when
/// every non-null cell is a number.
/// </summary>
public static class PsqlTable
{
    public static void Append(StringBuilder output, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string?>> rows)
    {
        var widths = new int[columns.Count];
        var numeric = new bool[columns.Count];
        for (var j = 0; j < columns.Count; j++)
        {
            widths[j] = columns[j].Length;
            var sawValue = false;
            numeric[j] = true;
            foreach (var row in rows)
            {
                var cell = Cell(row, j);
                widths[j] = Math.Max(widths[j], cell.Length);
                if (j < row.Count && row[j] is not null)
                {
                    sawValue = true;
                    numeric[j] &= IsNumber(cell);
                }
            }
            numeric[j] &= sawValue;
        }

        output.Append(' ');
        for (var j = 0; j < columns.Count; j++)
        {
            if (j > 0)
                output.Append(" | ");
            var spare = widths[j] - columns[j].Length;
            output.Append(' ', spare / 2).Append(columns[j]).Append(' ', (spare + 1) / 2);
        }
        output.Append(" \n");

        for (var j = 0; j < columns.Count; j++)
        {
            if (j > 0)
                output.Append('+');
            output.Append('-', widths[j] + 2);
        }
        output.Append('\n');

        foreach (var row in rows)
        {
            output.Append(' ');
            for (var j = 0; j < columns.Count; j++)
            {
                if (j > 0)
                    output.Append(" | ");
                var cell = Cell(row, j);
                var pad = widths[j] - cell.Length;
                if (numeric[j])
                    output.Append(' ', pad).Append(cell);
                else if (j < columns.Count - 1)
                    output.Append(cell).Append(' ', pad);
                else
                    output.Append(cell);
            }
            output.Append('\n');
        }
    }

    public static string RowCount(long rows) => rows == 1 ? "(1 row)" : $"({rows} rows)";

    private static string Cell(IReadOnlyList<string?> row, int column) => column < row.Count ? row[column] ?? "" : "";

    private static bool IsNumber(string text)
    {
        var span = text.AsSpan();
        if (span.Length > 0 && span[0] == '-')
            span = span[1..];
        if (span.Length == 0)
            return false;
        var digits = 0;
        var dot = false;
        foreach (var c in span)
        {
            if (char.IsAsciiDigit(c))
                digits++;
            else if (c == '.' && !dot)
                dot = true;
            else
                return false;
        }
        return digits > 0;
    }
}
