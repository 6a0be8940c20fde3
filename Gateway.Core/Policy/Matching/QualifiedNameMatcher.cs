using System.Collections.Immutable;

namespace Gateway.Core.Policy;

/// <summary>
/// Patterns on SQL object names (tables, functions), case-insensitive. A pattern without a dot names an
/// object in any schema, so <c>pg_read_file</c> also catches <c>pg_catalog.pg_read_file</c>. A pattern with a dot
/// matches qualified names as written and also the unqualified name, because <c>search_path</c> may resolve
/// an unqualified <c>salaries</c> to <c>hr.salaries</c> (deny rules must not be dodged by leaving the schema out).
/// </summary>
internal sealed class QualifiedNameMatcher
{
    private readonly NameMatcher? _qualified;
    private readonly NameMatcher? _lastPart;
    private readonly NameMatcher? _unqualifiedFallback;

    public QualifiedNameMatcher(IReadOnlyList<string> patterns)
    {
        Patterns = [.. patterns];
        var dotted = patterns.Where(p => p.Contains('.', StringComparison.Ordinal)).ToArray();
        var plain = patterns.Where(p => !p.Contains('.', StringComparison.Ordinal)).ToArray();
        if (dotted.Length > 0)
        {
            _qualified = new NameMatcher(dotted, ignoreCase: true);
            _unqualifiedFallback = new NameMatcher(dotted.Select(LastPart), ignoreCase: true);
        }
        if (plain.Length > 0)
            _lastPart = new NameMatcher(plain, ignoreCase: true);
    }

    public ImmutableArray<string> Patterns { get; }

    public static string LastPart(string name) => name[(name.LastIndexOf('.') + 1)..];

    public bool Matches(string name)
    {
        var dot = name.LastIndexOf('.');
        if (dot >= 0)
        {
            return (_qualified?.Matches(name) ?? false)
                || (_lastPart?.Matches(name.AsSpan(dot + 1)) ?? false);
        }
        return (_lastPart?.Matches(name) ?? false) || (_unqualifiedFallback?.Matches(name) ?? false);
    }

    public bool MatchesAny(ImmutableArray<string> names)
    {
        foreach (var name in names)
        {
            if (Matches(name))
                return true;
        }
        return false;
    }
}
