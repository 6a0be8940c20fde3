using Gateway.Core.Identity;

namespace Gateway.Core.Policy;

/// <summary>For UPDATE and DELETE: whether the rule wants a WHERE clause absent, present, or does not care.</summary>
internal enum WhereCondition
{
    Any,
    Absent,
    Present,
}

/// <summary>
/// One rule after compilation: every condition in its fastest form, and the <see cref="Decision"/> it yields
/// built once (a command decided by one rule allocates nothing). Immutable; shared by all sessions.
/// </summary>
internal sealed class CompiledRule
{
    public required int Index { get; init; }
    public required string Id { get; init; }

    /// <summary>How errors name the rule: <c>rules[index:id]</c>, the index within its file.</summary>
    public required string Key { get; init; }
    public required string File { get; init; }
    public required int Line { get; init; }
    public required int Column { get; init; }
    public required Decision Decision { get; init; }

    // Session conditions (null = any).
    public NameMatcher? Subjects { get; init; }
    public NameMatcher? Groups { get; init; }
    public IdentityKind[]? Kinds { get; init; }
    public NameMatcher? Listeners { get; init; }
    public NameMatcher? Protocols { get; init; }
    public NameMatcher? Databases { get; init; }

    // Command conditions.
    public bool ParseError { get; init; }
    public bool? ModifiesData { get; init; }

    // Statement conditions (null = any).
    public StatementKindSet? Statements { get; init; }
    public QualifiedNameMatcher? Tables { get; init; }
    public QualifiedNameMatcher? Functions { get; init; }
    public NameMatcher? Settings { get; init; }
    public WhereCondition Where { get; init; }

    public DecisionAction Action => Decision.Action;

    /// <summary>True when the rule looks at statements; such a rule cannot match a command without any.</summary>
    public bool HasStatementConditions =>
        Statements is not null || Tables is not null || Functions is not null || Settings is not null || Where != WhereCondition.Any;

    public bool MatchesSession(SessionFacts session)
    {
        var principal = session.Principal;
        if (Subjects is not null && !Subjects.Matches(principal.Subject))
            return false;
        if (Groups is not null && !Groups.MatchesAny(principal.Groups))
            return false;
        if (Kinds is not null && Array.IndexOf(Kinds, principal.Kind) < 0)
            return false;
        if (Listeners is not null && !Listeners.Matches(session.Listener))
            return false;
        if (Protocols is not null && !Protocols.Matches(session.Protocol))
            return false;
        if (Databases is not null && (session.Database is null || !Databases.Matches(session.Database)))
            return false;
        return true;
    }

    /// <summary>The command and statement conditions; the statement's kind was already checked by the caller's table.</summary>
    public bool MatchesStatement(StatementInfo statement, bool commandModifiesData)
    {
        if (ModifiesData is { } modifies && modifies != commandModifiesData)
            return false;
        if (Tables is not null && !Tables.MatchesAny(statement.Tables))
            return false;
        if (Functions is not null && !Functions.MatchesAny(statement.Functions))
            return false;
        if (Settings is not null && (statement.Setting is null || !Settings.Matches(statement.Setting)))
            return false;
        if (Where != WhereCondition.Any)
        {
            if (statement.HasWhere is not { } hasWhere || hasWhere != (Where == WhereCondition.Present))
                return false;
        }
        return true;
    }

    /// <summary>For a command without statements: only command conditions can hold.</summary>
    public bool MatchesCommand(bool commandModifiesData) =>
        !HasStatementConditions && (ModifiesData is not { } modifies || modifies == commandModifiesData);

    public override string ToString() => $"{Id} ({File}:{Line})";
}
