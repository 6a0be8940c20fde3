using System.Buffers;

namespace Gateway.Core.Masking;

/// <summary>
/// A <see cref="MaskingPlan"/> resolved against one result shape: which columns are masked whole and how.
/// Made once per RowDescription (or resultset header); cheap to query per value.
/// </summary>
public sealed class ColumnMask
{
    private readonly MaskingPlan _plan;
    private readonly MaskStrategy?[] _strategies;

    internal ColumnMask(MaskingPlan plan, MaskStrategy?[] strategies)
    {
        _plan = plan;
        _strategies = strategies;
        foreach (var strategy in strategies)
        {
            if (strategy is not null)
                MaskedCount++;
        }
    }

    public int Count => _strategies.Length;

    /// <summary>How many columns are masked whole; 0 with no detectors means rows pass untouched.</summary>
    public int MaskedCount { get; }

    /// <summary>True when values need looking at: a masked column or a detector to run.</summary>
    public bool NeedsInspection => MaskedCount > 0 || _plan.HasDetectors;

    public bool IsMasked(int column) => (uint)column < (uint)_strategies.Length && _strategies[column] is not null;

    public MaskStrategy? StrategyOf(int column) => (uint)column < (uint)_strategies.Length ? _strategies[column] : null;

    /// <summary>True when the column's value must be sent as SQL NULL (strategy <c>null</c>) instead of calling <see cref="TryMask"/>.</summary>
    public bool WritesNull(int column) => StrategyOf(column) == MaskStrategy.Null;

    /// <summary>
    /// Masks the value of <paramref name="column"/> with that column's own strategy, or runs the detectors when
    /// the column is not masked. Returns false and writes nothing when the value goes through unchanged.
    /// </summary>
    public bool TryMask(int column, ReadOnlySpan<byte> utf8Value, IBufferWriter<byte> destination) =>
        _plan.TryMask(utf8Value, StrategyOf(column), destination);
}
