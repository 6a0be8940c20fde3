namespace Gateway.Host.Backtest;

/// <summary>
/// Every recorded command whose decision moves from <see cref="Recorded"/> to <see cref="New"/>: how many, and the
/// distinct (redacted) command texts among them with their counts, in first-seen order.
/// </summary>
public sealed class DecisionChange(RecordedDecision recorded, RecordedDecision @new, int keepTexts)
{
    private readonly Dictionary<string, int> _texts = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public RecordedDecision Recorded { get; } = recorded;
    public RecordedDecision New { get; } = @new;
    public int Count { get; private set; }

    /// <summary>A command the target ran that the new rules would keep from it.</summary>
    public bool IsNewDenial => !Recorded.IsBlocking && New.IsBlocking;

    /// <summary>A command the target was kept from that the new rules would let through.</summary>
    public bool IsNewAllowance => Recorded.IsBlocking && !New.IsBlocking;

    /// <summary>Distinct texts kept (at most the configured number), with how often each occurred.</summary>
    public IEnumerable<(string Text, int Count)> Commands => _order.Select(text => (text, _texts[text]));

    /// <summary>Commands whose text was not kept because the list was full.</summary>
    public int UnlistedCommands => Count - _texts.Values.Sum();

    public void Add(string text)
    {
        Count++;
        if (_texts.TryGetValue(text, out var seen))
        {
            _texts[text] = seen + 1;
        }
        else if (keepTexts == 0 || _order.Count < keepTexts)
        {
            _texts[text] = 1;
            _order.Add(text);
        }
    }
}
