using Gateway.Core.Masking;

namespace Gateway.Core.Policy;

/// <summary>
/// Combines per-statement decisions into the command's: the most restrictive action (with its rule id and
/// message), the union of mask plans, the minimum of each limit. Returns a rule's prebuilt decision as is
/// when nothing needs combining, so the common case allocates nothing.
/// </summary>
internal struct DecisionAccumulator
{
    private Decision? _strictest;
    private MaskingPlan? _masking;
    private ResultLimits? _limits;

    public void Add(Decision decision)
    {
        if (_strictest is null || decision.Action > _strictest.Action)
            _strictest = decision;
        if (decision.Masking is { } plan)
            _masking = _masking is null ? plan : MaskingPlan.Union(_masking, plan);
        if (decision.Limits is { } limits)
            _limits = _limits is null ? limits : Tightest(_limits, limits);
    }

    public readonly Decision Result(Decision whenEmpty)
    {
        var strictest = _strictest ?? whenEmpty;
        if (strictest.IsBlocking)
            return strictest;
        if (ReferenceEquals(strictest.Masking, _masking) && Equals(strictest.Limits, _limits))
            return strictest;
        return strictest with { Masking = _masking, Limits = _limits };
    }

    internal static ResultLimits Tightest(ResultLimits a, ResultLimits b) => new(
        Min(a.MaxRows, b.MaxRows),
        Min(a.MaxBytes, b.MaxBytes),
        a.StatementTimeout is null ? b.StatementTimeout
            : b.StatementTimeout is null ? a.StatementTimeout
            : a.StatementTimeout < b.StatementTimeout ? a.StatementTimeout : b.StatementTimeout);

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}
