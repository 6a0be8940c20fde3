using Gateway.Core.Masking;

namespace Gateway.Core.Policy;

/// <summary>
/// Rule actions ordered by restrictiveness: when a command holds several statements, the decision with
/// the highest value wins (<see cref="Decision.MostRestrictive"/>).
/// </summary>
public enum DecisionAction
{
    Allow = 0,
    Rewrite = 1,
    Limit = 2,
    Mask = 3,
    RequireApproval = 4,
    Deny = 5,
}

/// <summary>Result limits a <c>limit</c> rule puts on a command.</summary>
public sealed record ResultLimits(long? MaxRows, long? MaxBytes, TimeSpan? StatementTimeout);

/// <summary>What the rule engine decided for one command.</summary>
public sealed record Decision
{
    public required DecisionAction Action { get; init; }

    /// <summary>The id of the rule that decided, or <c>default</c> when the file default applied.</summary>
    public required string RuleId { get; init; }

    /// <summary>The rule's message, shown to the client on denial.</summary>
    public string? Message { get; init; }

    /// <summary>How to mask results, when any rule asked for masking.</summary>
    public MaskingPlan? Masking { get; init; }

    public ResultLimits? Limits { get; init; }

    /// <summary>For <see cref="DecisionAction.RequireApproval"/>: the request an approver acts on.</summary>
    public string? ApprovalRequestId { get; init; }

    /// <summary>Whether the command must not reach the target.</summary>
    public bool IsBlocking => Action >= DecisionAction.RequireApproval;

    /// <summary>The action's name as written in rule files and frame-log records.</summary>
    public string ActionName => Action switch
    {
        DecisionAction.Allow => "allow",
        DecisionAction.Rewrite => "rewrite",
        DecisionAction.Limit => "limit",
        DecisionAction.Mask => "mask",
        DecisionAction.RequireApproval => "require_approval",
        _ => "deny",
    };
}
