using System.Buffers;
using System.Text;
using Gateway.Core.Masking;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Protocol.Messages;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>
/// The columns of one result set and how each is masked, resolved once per RowDescription so a DataRow costs
/// one pass over its values. Text-format values and binary values of text-like types (whose binary form is their
/// UTF-8 text) go through the plan's detectors and column strategies; other binary values of a masked column are
/// sent as NULL, since a redacted string would not decode as their type.
/// </summary>
internal sealed class ResultShape
{
    // Types whose binary wire format is the UTF-8 text itself.
    private static readonly HashSet<uint> TextLikeTypes = [25, 1043, 1042, 19, 18, 114, 705, 142];
    private const uint JsonbType = 3802;

    private readonly ColumnMask? _mask;
    private readonly bool[] _inspectable;

    // Per column: the value reads as text (text format, or binary of a text-like type), for the audit copy.
    private readonly bool[] _textual;

    public ResultShape(RowField[]? columns, MaskingPlan? plan)
    {
        Columns = columns;
        Plan = plan;
        Names = columns is null ? [] : Array.ConvertAll(columns, c => c.Name);
        _textual = columns is null ? [] : Array.ConvertAll(columns, c => c.Format == 0 || TextLikeTypes.Contains(c.TypeOid));
        if (plan is null)
        {
            _inspectable = [];
            return;
        }
        _mask = plan.ForColumns(Names);
        _inspectable = columns is null ? [] : Array.ConvertAll(columns, c => c.Format == 0 || TextLikeTypes.Contains(c.TypeOid) || c.TypeOid == JsonbType);
        NeedsMasking = _mask.NeedsInspection || UnknownColumns;
    }

    // No RowDescription was seen: fail closed.
    private bool UnknownColumns => Columns is null;

    public RowField[]? Columns { get; }
    public MaskingPlan? Plan { get; }
    public string[] Names { get; }

    /// <summary>True when this shape is the one <paramref name="columns"/> under <paramref name="plan"/> would build.</summary>
    public bool Fits(RowField[] columns, MaskingPlan? plan) =>
        ReferenceEquals(Plan, plan) && Columns is { } mine && mine.AsSpan().SequenceEqual(columns);

    /// <summary>False when rows can be forwarded untouched (no plan, or a plan with nothing to do here).</summary>
    public bool NeedsMasking { get; }

    /// <summary>
    /// Masks the row's <paramref name="count"/> values in place in <paramref name="values"/> (each then points either
    /// into the original row or into <paramref name="scratch"/>). Returns false when nothing changed, so the original
    /// bytes are forwarded.
    /// </summary>
    public bool TryMaskRow(PgValue[] values, int count, ArrayBufferWriter<byte> scratch, byte[] copyBuffer)
    {
        if (!NeedsMasking)
            return false;

        var changed = false;
        // Offsets into scratch are recorded first and turned into memory afterwards: scratch may grow (and move).
        Span<(int Start, int Length)> replaced = count <= 64 ? stackalloc (int, int)[count] : new (int, int)[count];
        for (var index = 0; index < count; index++)
        {
            replaced[index] = (-1, 0);
            var value = values[index];
            if (value.IsNull)
                continue;
            var masked = MaskValue(index, value, scratch, copyBuffer, out var start, out var writesNull);
            if (writesNull)
            {
                values[index] = PgValue.Null;
                changed = true;
            }
            else if (masked)
            {
                replaced[index] = (start, scratch.WrittenCount - start);
                changed = true;
            }
        }

        if (changed)
        {
            var written = scratch.WrittenMemory;
            for (var i = 0; i < count; i++)
            {
                if (replaced[i].Start >= 0)
                    values[i] = PgValue.From(written.Slice(replaced[i].Start, replaced[i].Length));
            }
        }
        return changed;
    }

    private bool MaskValue(int column, in PgValue value, ArrayBufferWriter<byte> scratch, byte[] copyBuffer,
        out int start, out bool writesNull)
    {
        start = scratch.WrittenCount;
        writesNull = false;
        var mask = _mask!;
        var columnMasked = UnknownColumns || mask.IsMasked(column);
        var inspectable = UnknownColumns || (column < _inspectable.Length && _inspectable[column]);
        if (!inspectable)
        {
            // A binary value we cannot read as text: only a column rule can apply, and it can only blank it.
            writesNull = columnMasked;
            return false;
        }
        if (mask.WritesNull(column))
        {
            writesNull = true;
            return false;
        }

        var bytes = value.Bytes;
        var isJsonb = Columns is { } cols && column < cols.Length && cols[column].Format == 1 && cols[column].TypeOid == JsonbType;
        if (isJsonb)
        {
            // jsonb binary: a version byte, then the JSON text; keep the version byte.
            if (bytes.Length < 1)
                return false;
            scratch.Write([bytes.FirstSpan[0]]);
            bytes = bytes.Slice(1);
        }

        ReadOnlySpan<byte> span;
        if (bytes.IsSingleSegment)
        {
            span = bytes.FirstSpan;
        }
        else if (bytes.Length <= copyBuffer.Length)
        {
            bytes.CopyTo(copyBuffer);
            span = copyBuffer.AsSpan(0, (int)bytes.Length);
        }
        else
        {
            span = bytes.ToArray();
        }

        bool masked;
        if (UnknownColumns)
        {
            // No RowDescription was seen: fail closed and redact every text value whole.
            scratch.Write("****"u8);
            masked = true;
        }
        else
        {
            masked = mask.TryMask(column, span, scratch);
        }
        if (!masked && isJsonb)
        {
            // Nothing to mask: drop the version byte written above by rewinding is not possible; rewrite in full.
            scratch.Write(span);
            masked = true;
        }
        return masked;
    }

    /// <summary>
    /// The row as the client saw it, for the audit capture: text values through every detector (the audit copy is
    /// at least as masked as what the client received), binary values by size.
    /// </summary>
    public string?[] Describe(PgValue[] values, int count)
    {
        var cells = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var value = values[i];
            if (value.IsNull)
                continue;
            cells[i] = i >= _textual.Length || _textual[i]
                ? MaskingPlan.AllDetectorsRedacted.MaskText(Encoding.UTF8.GetString(value.Bytes))
                : $"<binary {value.Bytes.Length} bytes>";
        }
        return cells;
    }
}
