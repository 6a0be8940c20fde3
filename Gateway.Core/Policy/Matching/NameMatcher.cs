using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Gateway.Core.Policy;

/// <summary>
/// A compiled any-of list of name patterns: literal names in a frozen set (one hash lookup, no allocation for
/// span keys), wildcard patterns as compiled <see cref="Glob"/>s tried in order.
/// </summary>
internal sealed class NameMatcher
{
    private readonly FrozenSet<string> _literals;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _literalLookup;
    private readonly Glob[] _wildcards;
    private readonly bool _matchesEverything;

    public NameMatcher(IEnumerable<string> patterns, bool ignoreCase)
    {
        Patterns = [.. patterns];
        IgnoreCase = ignoreCase;
        var comparer = ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        _literals = Patterns.Where(p => !Glob.HasWildcards(p)).ToFrozenSet(comparer);
        _literalLookup = _literals.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcards = [.. Patterns.Where(Glob.HasWildcards).Select(p => new Glob(p, ignoreCase))];
        _matchesEverything = _wildcards.Any(g => g.MatchesEverything);
    }

    public ImmutableArray<string> Patterns { get; }

    public bool IgnoreCase { get; }

    public bool MatchesEverything => _matchesEverything;

    public bool Matches(ReadOnlySpan<char> name)
    {
        if (_matchesEverything || _literalLookup.Contains(name))
            return true;
        foreach (var glob in _wildcards)
        {
            if (glob.IsMatch(name))
                return true;
        }
        return false;
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

    public override string ToString() => string.Join(", ", Patterns);
}
