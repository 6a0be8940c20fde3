using Gateway.Core.Policy;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>
/// <c>COPY ... TO STDOUT</c> carries no column names: a plan that masks by column cannot be applied to it, so such a
/// decision becomes a denial (fail closed). Applied after the rules by the session and by the backtest alike.
/// </summary>
public static class CopyToMasking
{
    public const string DenialMessage = "COPY TO cannot be masked by column; select the columns you need with SELECT instead";

    public static Decision Apply(Command command, Decision decision)
    {
        if (decision is { IsBlocking: false, Masking.MasksColumns: true } && command.Statements.Any(s => s.Kind == StatementKinds.CopyTo))
            return decision with { Action = DecisionAction.Deny, Message = DenialMessage };
        return decision;
    }
}
