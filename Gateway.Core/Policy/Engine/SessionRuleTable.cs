namespace Gateway.Core.Policy;

/// <summary>
/// The rules that can apply to one session, built the first time the session's facts are evaluated: session
/// conditions (subject, groups, kind, listener, protocol, database) are decided once, and the rest is split
/// by statement kind so a statement only visits rules that could match it, in file order.
/// </summary>
internal sealed class SessionRuleTable
{
    private readonly CompiledRule[][] _byKind;

    public SessionRuleTable(IReadOnlyList<CompiledRule> rules, SessionFacts session)
    {
        var byKind = new List<CompiledRule>[StatementKindIndex.Count];
        for (var k = 0; k < byKind.Length; k++)
            byKind[k] = [];
        var withoutStatements = new List<CompiledRule>();
        var parseError = new List<CompiledRule>();

        foreach (var rule in rules)
        {
            if (!rule.MatchesSession(session))
                continue;
            if (rule.ParseError)
            {
                parseError.Add(rule);
                continue;
            }
            for (var k = 0; k < byKind.Length; k++)
            {
                if (rule.Statements is not { } kinds || kinds.Contains(k))
                    byKind[k].Add(rule);
            }
            if (!rule.HasStatementConditions)
                withoutStatements.Add(rule);
        }

        _byKind = [.. byKind.Select(list => list.ToArray())];
        WithoutStatements = [.. withoutStatements];
        ParseError = [.. parseError];
    }

    /// <summary>Rules for a command that has no statements (e.g. an empty query).</summary>
    public CompiledRule[] WithoutStatements { get; }

    /// <summary>Rules with <c>parse_error: true</c>: the only ones that may decide an unparsed command.</summary>
    public CompiledRule[] ParseError { get; }

    public CompiledRule[] ForKind(string kind) => _byKind[StatementKindIndex.Of(kind)];
}
