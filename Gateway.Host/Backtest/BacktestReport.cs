namespace Gateway.Host.Backtest;

/// <summary>The outcome of a backtest: how many recorded commands were judged again, and what would change.</summary>
public sealed class BacktestReport
{
    private readonly Dictionary<(RecordedDecision, RecordedDecision), DecisionChange> _changes = [];
    private readonly Dictionary<string, int> _skipped = new(StringComparer.Ordinal);
    private readonly int _keepTexts;

    public BacktestReport(int keepTexts) => _keepTexts = keepTexts;

    /// <summary>Commands judged under the new rules.</summary>
    public int Judged { get; private set; }

    /// <summary>Judged commands whose decision stays the same (action and rule id).</summary>
    public int Unchanged { get; private set; }

    public int Changed => Judged - Unchanged;

    /// <summary>Changes, new denials first, then by count.</summary>
    public IReadOnlyList<DecisionChange> Changes =>
    [
        .. _changes.Values
            .OrderByDescending(c => c.IsNewDenial)
            .ThenByDescending(c => c.Count)
            .ThenBy(c => c.Recorded.RuleId, StringComparer.Ordinal)
            .ThenBy(c => c.New.RuleId, StringComparer.Ordinal),
    ];

    /// <summary>Commands that ran and would now be kept from the target: what <c>--fail-on-new-denials</c> fails on.</summary>
    public int NewDenials => _changes.Values.Where(c => c.IsNewDenial).Sum(c => c.Count);

    public int NewAllowances => _changes.Values.Where(c => c.IsNewAllowance).Sum(c => c.Count);

    /// <summary>Commands that could not be judged again, by reason.</summary>
    public IReadOnlyDictionary<string, int> Skipped => _skipped;

    public int SkippedTotal => _skipped.Values.Sum();

    internal void AddJudged(RecordedDecision recorded, RecordedDecision @new, string text)
    {
        Judged++;
        if (recorded == @new)
        {
            Unchanged++;
            return;
        }
        if (!_changes.TryGetValue((recorded, @new), out var change))
            _changes[(recorded, @new)] = change = new DecisionChange(recorded, @new, _keepTexts);
        change.Add(text);
    }

    internal void AddSkipped(string reason) =>
        _skipped[reason] = _skipped.GetValueOrDefault(reason) + 1;
}
