namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// A cheap stand-in for a text's <see cref="SqlShape"/>, computed without the lexer: a hash of the text with its
/// digits and the insides of its '...' quotes left out. The analyser scans a text for its shape only when the hint
/// was seen before, so a one-off statement (an agent's ad-hoc query) costs no scan on top of its parse. A wrong
/// hint costs time and nothing else: what is shared is decided by the shape, which comes from the lexer.
/// </summary>
internal sealed class ShapeHint
{
    private readonly Doorkeeper seen;
    private readonly Lock gate = new();

    public ShapeHint(int entries)
    {
        seen = new Doorkeeper(8 * entries);
    }

    /// <summary>True when a text with the same hint was offered recently; otherwise remembers this one's.</summary>
    public bool SeenBefore(string sql)
    {
        var hash = Of(sql);
        lock (gate)
            return seen.SeenBefore(hash);
    }

    internal static int Of(string sql)
    {
        var hash = new HashCode();
        var quoted = false;
        foreach (var c in sql)
        {
            if (c == '\'')
                quoted = !quoted;
            else if (!quoted && !char.IsAsciiDigit(c))
                hash.Add(c);
        }
        return hash.ToHashCode();
    }
}
