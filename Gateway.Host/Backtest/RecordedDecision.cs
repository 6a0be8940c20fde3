using Gateway.Core.Policy;

namespace Gateway.Host.Backtest;

/// <summary>A decision as the frame log spells it: the action name and the deciding rule's id.</summary>
public readonly record struct RecordedDecision(string Action, string RuleId)
{
    /// <summary>Whether the command was kept from the target (<c>deny</c>, <c>require_approval</c>).</summary>
    public bool IsBlocking => Action is "deny" or "require_approval";

    public static RecordedDecision From(Decision decision) => new(decision.ActionName, decision.RuleId);

    public override string ToString() => $"{Action} ({RuleId})";
}
