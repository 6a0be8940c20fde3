using System.Collections.Immutable;
using Gateway.Core.Policy;

namespace Gateway.Core.Masking;

/// <summary>
/// What one <c>mask</c> rule asks for: result columns whose names match <see cref="Columns"/> are masked whole,
/// and <see cref="Detectors"/> run over every other text value; both with <see cref="Strategy"/>.
/// </summary>
public sealed class MaskSpec
{
    public MaskSpec(string ruleId, IEnumerable<string> columns, IEnumerable<Detector> detectors, MaskStrategy strategy)
    {
        RuleId = ruleId;
        Columns = [.. columns];
        Detectors = [.. detectors.Distinct()];
        Strategy = strategy;
        ColumnMatcher = Columns.IsEmpty ? null : new NameMatcher(Columns, ignoreCase: true);
    }

    public string RuleId { get; }

    /// <summary>Column name globs, case-insensitive.</summary>
    public ImmutableArray<string> Columns { get; }

    public ImmutableArray<Detector> Detectors { get; }

    public MaskStrategy Strategy { get; }

    internal NameMatcher? ColumnMatcher { get; }
}
