namespace Gateway.Core.Policy;

/// <summary>
/// Decides whether one pattern matches at least every name another pattern matches. Conservative: it answers
/// "yes" only when that is certain, so lint never reports a shadowed rule that is not.
/// </summary>
internal static class GlobCoverage
{
    public static bool Covers(string wide, string narrow, bool ignoreCase)
    {
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (wide.AsSpan().Trim('*').Length == 0 && wide.Length > 0)
            return true;
        if (string.Equals(wide, narrow, comparison))
            return true;
        if (!Glob.HasWildcards(narrow))
            return new Glob(wide, ignoreCase).IsMatch(narrow);
        if (wide.Contains('?', StringComparison.Ordinal))
            return false;

        var inner = wide.Trim('*');
        if (inner.Contains('*', StringComparison.Ordinal))
            return false;
        var leading = wide[0] == '*';
        var trailing = wide[^1] == '*';
        return (leading, trailing) switch
        {
            (false, true) => narrow.StartsWith(inner, comparison),
            (true, false) => narrow.EndsWith(inner, comparison),
            (true, true) => narrow.Contains(inner, comparison),
            _ => false,
        };
    }

    /// <summary>
    /// Every value <paramref name="narrow"/> matches, <paramref name="wide"/> matches (null = no condition).
    /// <paramref name="alwaysPresent"/>: the fact always has a value (a subject does; a principal may have no
    /// groups, a statement no setting), so <c>*</c> really matches everything.
    /// </summary>
    public static bool Covers(NameMatcher? wide, NameMatcher? narrow, bool alwaysPresent)
    {
        if (wide is null || (alwaysPresent && wide.MatchesEverything))
            return true;
        if (narrow is null)
            return false;
        return narrow.Patterns.All(n => wide.Patterns.Any(w => Covers(w, n, wide.IgnoreCase)));
    }

    /// <summary>The same for SQL object names, following <see cref="QualifiedNameMatcher"/>'s rules for dots.</summary>
    public static bool Covers(QualifiedNameMatcher? wide, QualifiedNameMatcher? narrow)
    {
        if (wide is null)
            return true;
        // Without a condition the narrow rule also matches statements that name no object at all; no pattern does.
        if (narrow is null)
            return false;
        return narrow.Patterns.All(n => wide.Patterns.Any(w => CoversQualified(w, n)));
    }

    private static bool CoversQualified(string wide, string narrow)
    {
        var wideDotted = wide.Contains('.', StringComparison.Ordinal);
        var narrowDotted = narrow.Contains('.', StringComparison.Ordinal);
        var narrowLast = QualifiedNameMatcher.LastPart(narrow);
        if (!wideDotted)
            return Covers(wide, narrowDotted ? narrowLast : narrow, ignoreCase: true);
        var wideLast = QualifiedNameMatcher.LastPart(wide);
        return narrowDotted
            ? Covers(wide, narrow, ignoreCase: true) && Covers(wideLast, narrowLast, ignoreCase: true)
            : Covers(wide, "*." + narrow, ignoreCase: true) && Covers(wideLast, narrow, ignoreCase: true);
    }
}
