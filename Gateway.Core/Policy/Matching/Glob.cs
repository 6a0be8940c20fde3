namespace Gateway.Core.Policy;

/// <summary>
/// A name pattern from a rule file: <c>*</c> matches any run of characters, <c>?</c> one character, everything
/// else itself. Compiled once into the cheapest test that decides it (exact, prefix, suffix, contains, any).
/// </summary>
internal sealed class Glob
{
    private enum Shape { Any, Exact, Prefix, Suffix, Contains, Segments, General }

    private readonly Shape _shape;
    private readonly string _literal;
    private readonly string[] _segments = [];
    private readonly StringComparison _comparison;

    public Glob(string pattern, bool ignoreCase)
    {
        Pattern = pattern;
        IgnoreCase = ignoreCase;
        _comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        (_shape, _literal) = Classify(pattern);
        if (_shape == Shape.Segments)
            _segments = pattern.Split('*');
    }

    public string Pattern { get; }

    public bool IgnoreCase { get; }

    public bool MatchesEverything => _shape == Shape.Any;

    public static bool HasWildcards(string pattern) => pattern.AsSpan().IndexOfAny('*', '?') >= 0;

    public bool IsMatch(ReadOnlySpan<char> text) => _shape switch
    {
        Shape.Any => true,
        Shape.Exact => text.Equals(_literal, _comparison),
        Shape.Prefix => text.StartsWith(_literal, _comparison),
        Shape.Suffix => text.EndsWith(_literal, _comparison),
        Shape.Contains => text.Contains(_literal, _comparison),
        Shape.Segments => MatchSegments(text),
        _ => MatchGeneral(Pattern, text, IgnoreCase),
    };

    private static (Shape, string) Classify(string pattern)
    {
        if (pattern.Contains('?', StringComparison.Ordinal))
            return (Shape.General, pattern);
        var stars = pattern.AsSpan().Count('*');
        if (stars == 0)
            return (Shape.Exact, pattern);
        if (pattern.AsSpan().Trim('*').Length == 0)
            return (Shape.Any, "");
        var inner = pattern.Trim('*');
        if (inner.Contains('*', StringComparison.Ordinal))
            return (Shape.Segments, pattern);
        var leading = pattern[0] == '*';
        var trailing = pattern[^1] == '*';
        return (leading, trailing) switch
        {
            (true, true) => (Shape.Contains, inner),
            (true, false) => (Shape.Suffix, inner),
            _ => (Shape.Prefix, inner),
        };
    }

    /// <summary>
    /// Star-only patterns as literal segments: the first anchored at the start, the last at the end, the ones
    /// between found left to right with a vectorized IndexOf (leftmost placement is always a valid choice).
    /// </summary>
    private bool MatchSegments(ReadOnlySpan<char> text)
    {
        var first = _segments[0];
        var last = _segments[^1];
        if (text.Length < first.Length + last.Length || !text.StartsWith(first, _comparison) || !text.EndsWith(last, _comparison))
            return false;
        var middle = text[first.Length..^last.Length];
        for (var i = 1; i < _segments.Length - 1; i++)
        {
            var segment = _segments[i];
            if (segment.Length == 0)
                continue;
            var at = middle.IndexOf(segment, _comparison);
            if (at < 0)
                return false;
            middle = middle[(at + segment.Length)..];
        }
        return true;
    }

    /// <summary>Iterative wildcard matching with single-star backtracking: linear in practice, never exponential.</summary>
    private static bool MatchGeneral(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text, bool ignoreCase)
    {
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || Same(pattern[p], text[t], ignoreCase)))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
            p++;
        return p == pattern.Length;
    }

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToLowerInvariant(a) == char.ToLowerInvariant(b));

    public override string ToString() => Pattern;
}
