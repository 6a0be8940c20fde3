using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Protocol;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>
/// How a denial is spoken in PostgreSQL: SQLSTATE 42501 (insufficient_privilege) with the rule id in the message
/// and the detail, so an agent can tell what was blocked and adapt (DESIGN.md "Native denial errors").
/// </summary>
internal static class DenialText
{
    /// <summary>Rule id of the refusal when the frame log cannot record a command.</summary>
    public const string AuditUnavailableRule = "audit-unavailable";

    public static string Message(Decision decision) => decision.Action == DecisionAction.RequireApproval
        ? $"approval required by rule {decision.RuleId}: {decision.Message ?? "this statement needs an approver"}"
        : $"denied by rule {decision.RuleId}: {decision.Message ?? "this statement is not allowed"}";

    public static PgError ToError(Decision decision)
    {
        if (decision.RuleId.EndsWith(AuditUnavailableRule, StringComparison.Ordinal))
        {
            // Not a policy decision: the gateway could not write its audit record (disk full, I/O error).
            // 55000 (object_not_in_prerequisite_state), not class 58: drivers such as Npgsql treat 58xxx as a
            // broken connection, and this session is fine — only its prerequisite, the audit log, is not.
            return new PgError(PgSeverity.Error, "55000", $"the gateway refused the statement: {decision.Message}")
            {
                Detail = "The gateway writes every statement to its audit log before running it, and the log is unavailable.",
            };
        }

        var detail = decision.Action == DecisionAction.RequireApproval
            ? $"Rule {decision.RuleId} requires an approval; request id {decision.ApprovalRequestId}."
            : $"Rule {decision.RuleId} of the gateway policy matched this statement; it was not run.";
        return new PgError(PgSeverity.Error, "42501", Message(decision))
        {
            Detail = detail,
            Hint = "The statement was blocked by the agent gateway, not by the database. Change the statement, or ask the policy owners.",
        };
    }
}
